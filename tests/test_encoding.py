import pytest

from pipeline.encoding import decode_bytes, tcvn3_to_unicode, vni_to_unicode
from pipeline.errors import UndecodableText

TEXT = "Kế hoạch triển khai thực hiện Nghị quyết của Ủy ban nhân dân tỉnh Quảng Ngãi về công tác dân số"


@pytest.mark.parametrize("legacy, expected", [
    ("KÕ ho¹ch triÓn khai thùc hiÖn", "Kế hoạch triển khai thực hiện"),
    ("Së Y tÕ tØnh Qu¶ng Ng·i", "Sở Y tế tỉnh Quảng Ngãi"),
    ("®¶ng bé", "đảng bộ"),
], ids=["ke-hoach", "so-y-te", "dang-bo"])
def test_tcvn3(legacy, expected):
    assert tcvn3_to_unicode(legacy) == expected


@pytest.mark.parametrize("legacy, expected", [
    ("Xin chaøo caùc baïn", "Xin chào các bạn"),
    ("Keá hoaïch thöïc hieän", "Kế hoạch thực hiện"),
    ("Ñaûng ôû nöôùc", "Đảng ở nước"),
], ids=["chao", "ke-hoach", "dang"])
def test_vni(legacy, expected):
    assert vni_to_unicode(legacy) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le"])
def test_unicode_encodings(encoding):
    decoded = decode_bytes(TEXT.encode(encoding))
    assert decoded.text == TEXT


def test_windows_1258_decomposed():
    import unicodedata
    # Windows-1258 stores tone marks as combining characters after the base letter
    tones = "\u0300\u0301\u0303\u0309\u0323"

    def cp1258_form(ch):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        return base + "".join(c for c in parts if c in tones)

    data = "".join(cp1258_form(c) for c in TEXT).encode("cp1258", errors="strict")
    decoded = decode_bytes(data)
    assert decoded.text == TEXT
    assert decoded.encoding == "cp1258"


def test_tcvn3_file_bytes_are_converted():
    inverse = {"ế": "Õ", "ạ": "¹", "ể": "Ó", "ự": "ù", "ệ": "Ö", "ị": "Þ", "ủ": "ñ", "â": "©", "ỉ": "Ø", "ả": "¶",
               "ã": "·", "ề": "Ò", "ô": "«", "á": "¸", "ố": "è"}
    legacy = "".join(inverse.get(c, c) for c in TEXT.replace("Ủy", "Uû"))
    decoded = decode_bytes(legacy.encode("cp1252", errors="ignore"))
    assert decoded.encoding == "tcvn3"
    assert "Kế hoạch triển khai thực hiện" in decoded.text


def test_random_bytes_are_rejected():
    import random
    data = bytes(random.Random(7).randrange(256) for _ in range(4000))
    with pytest.raises(UndecodableText):
        decode_bytes(data)
