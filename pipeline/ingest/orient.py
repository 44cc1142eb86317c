"""Which way up a scanned page is, and how far it is skewed; boxes read on the turned page mapped
back onto the page as it was filed.

Tesseract reads a page skewed by 2° with a few more errors than a straight one, and kehoach's reading
order, which groups words into lines by their boxes, loses more (measured in ``bench/skew.py``); a
page filed sideways or upside down is read as nothing at all. Skew is found from the page itself by a
projection profile: rotated to the right angle, a page's ink falls into narrow bands (its lines), so
the histogram of the ink's heights is sharpest. That costs a few hundredths of a second a page. Which
way up the page is is asked of tesseract's orientation detection (``--psm 0``, the ``osd`` data that
comes with tesseract), which costs about half a page's reading; it is asked only when a first reading
looks turned (:func:`looks_turned`), so upright pages pay nothing for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytesseract
from PIL import Image

from pipeline.layout import BBox

# Skews searched, in degrees either way; scanners and phones skew a page by a few degrees at most.
MAX_SKEW = 8.0
# Below this a page is read as it is. Tesseract follows lines skewed by a degree or two itself;
# straightening them resamples every glyph, which on the real scans of ../shared/real (skewed by up
# to 1.0°) changed as many characters for the worse as for the better. From 2.5° on, straightening
# wins (bench/skew.py: 98.9% → 99.3% at 2.5°, 96.6% → 99.5% at 5°).
MIN_SKEW = 2.5
# The projection is computed on the page shrunk to about this many pixels on its long side, from at
# most this many ink pixels: the angle it finds is within a tenth of a degree of the full page's.
PROFILE_SIDE = 1400
PROFILE_INK = 40_000
# The coarse search (every half degree) looks at this many of them.
COARSE_INK = 12_000
# A page whose ink makes no sharper bands at its best angle than flat (by this factor) is not text
# in lines (a photo, a blank page with specks): it is read as it is.
MIN_SHARPENING = 1.05

# A first reading looks turned when tesseract is this unsure of it (mean confidence, 0-100; real
# scans in ../shared/real read at 78-95, a page upside down or sideways at about 40) ...
TURNED_CONFIDENCE = 65.0
# ... or when most of its words are taller than wide: tesseract reads a sideways page's lines as
# vertical text, word by word right, in an order no line grouping can follow.
TURNED_TALL_SHARE = 0.5


@dataclass(frozen=True)
class Turn:
    """A rotation of a page image by ``angle`` degrees counter-clockwise (PIL's ``rotate`` with
    ``expand=True``), able to map a box on the turned image back onto the page as it was."""

    angle: float
    size: tuple[int, int]  # the page's (width, height) before the turn

    def apply(self, image: Image.Image) -> Image.Image:
        if self.angle % 90 == 0:  # exact: no resampling
            transpose = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
                         270: Image.Transpose.ROTATE_270}.get(round(self.angle) % 360)
            return image.transpose(transpose) if transpose is not None else image
        return image.rotate(self.angle, resample=Image.BICUBIC, expand=True, fillcolor=255)

    def turned_size(self) -> tuple[float, float]:
        width, height = self.size
        cos, sin = abs(math.cos(math.radians(self.angle))), abs(math.sin(math.radians(self.angle)))
        return width * cos + height * sin, width * sin + height * cos

    def box_back(self, box: BBox) -> BBox:
        """The box on the page as filed that holds ``box`` of the turned image."""
        width, height = self.size
        turned_width, turned_height = self.turned_size()
        cos, sin = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        xs, ys = [], []
        for x, y in ((box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])):
            dx, dy = x - turned_width / 2, y - turned_height / 2
            # the inverse of a counter-clockwise turn in image coordinates (y down)
            xs.append(width / 2 + dx * cos - dy * sin)
            ys.append(height / 2 + dx * sin + dy * cos)
        return (max(0.0, min(xs)), max(0.0, min(ys)), min(float(width), max(xs)), min(float(height), max(ys)))


def skew_angle(image: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) the page's lines rise by; turning the page by minus
    this straightens them. 0.0 when the page shows no lines of text to measure."""
    grey = image if image.mode == "L" else image.convert("L")
    factor = math.ceil(max(grey.size) / PROFILE_SIDE)
    if factor > 1:
        grey = grey.reduce(factor)
    pixels = np.asarray(grey)
    ys, xs = np.nonzero(pixels < min(128, int(pixels.mean()) - 40))
    if len(ys) < 200:
        return 0.0
    rng = np.random.default_rng(0)
    # in random order, so that the coarse search's first COARSE_INK pixels are a sample of the page
    keep = rng.permutation(len(ys))[:PROFILE_INK]
    ys, xs = ys[keep], xs[keep]
    # each ink pixel spread over its pixel's height: at 0° pixel rows would otherwise fall into the
    # histogram's bins exactly, which makes any page look sharpest unturned
    ys = ys - pixels.shape[0] / 2.0 + rng.uniform(-0.5, 0.5, len(ys))
    xs = xs - pixels.shape[1] / 2.0
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.25, 0.5)
    scores = _sharpness(ys[:COARSE_INK], xs[:COARSE_INK], coarse) * (len(ys) / min(len(ys), COARSE_INK)) ** 2
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5001, 0.1)
    fine_scores = _sharpness(ys, xs, fine)
    if fine_scores.max() < scores.min() * MIN_SHARPENING:  # no angle makes bands: not lines of text
        return 0.0
    return round(float(fine[int(np.argmax(fine_scores))]), 2) + 0.0  # never -0.0


def _sharpness(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """For each angle, the sum of squares of the histogram of the ink's heights once the page is
    turned by minus that angle (y grows downward): highest where the lines are level."""
    theta = np.radians(angles)[:, None]
    heights = np.round(ys[None, :] * np.cos(theta) + xs[None, :] * np.sin(theta)).astype(np.int64)
    heights -= heights.min()
    span = int(heights.max()) + 1
    # one histogram per angle, laid end to end so that a single bincount makes them all
    counts = np.bincount((heights + np.arange(len(angles))[:, None] * span).ravel(),
                         minlength=len(angles) * span).reshape(len(angles), span).astype(np.float64)
    return (counts * counts).sum(axis=1)


def looks_turned(confidence: float | None, boxes: list[BBox]) -> bool:
    """Whether a reading of a page suggests the page lies sideways or upside down."""
    words = [b for b in boxes if (b[2] - b[0]) > 0 and (b[3] - b[1]) > 0]
    if len(words) < 5:
        return False
    tall = sum(1 for b in words if (b[3] - b[1]) > 1.2 * (b[2] - b[0]))
    if tall / len(words) > TURNED_TALL_SHARE:
        return True
    return confidence is not None and confidence < TURNED_CONFIDENCE


def upright_turn(image: Image.Image) -> int:
    """The counter-clockwise turn (0, 90, 180 or 270) that puts the page upright, by tesseract's
    orientation detection; 0 when it cannot tell (too little text, or the ``osd`` data missing)."""
    try:
        found = pytesseract.image_to_osd(image, config="--psm 0", output_type=pytesseract.Output.DICT)
    except pytesseract.TesseractError:  # "Too few characters", or no osd.traineddata
        return 0
    # tesseract's "rotate" is clockwise; PIL's angles are counter-clockwise
    return (360 - int(found.get("rotate", 0))) % 360
