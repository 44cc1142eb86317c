// kehoach review: sorting and filtering of tables, and the item panel of a document page.
// Plain script, no libraries, nothing fetched: the data is in the page.
(function () {
  "use strict";

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
    return numeric ? (parseFloat(raw) || 0) : raw.toLowerCase();
  }

  document.querySelectorAll("table.sortable thead th").forEach(function (th, index) {
    th.addEventListener("click", function () {
      var table = th.closest("table"), body = table.tBodies[0];
      var numeric = th.getAttribute("data-sort") === "number";
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
        return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });

  // ---- the index: filters
  var documents = document.getElementById("documents");
  if (documents) {
    var text = document.getElementById("filter-text"), status = document.getElementById("filter-status"),
        cites = document.getElementById("filter-cites"), shown = document.getElementById("shown");
    var apply = function () {
      var needle = text.value.trim().toLowerCase(), wanted = status.value,
          number = cites.value.trim().toLowerCase(), count = 0;
      Array.prototype.forEach.call(documents.tBodies[0].rows, function (row) {
        var visible = (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0) &&
          (!wanted || row.getAttribute("data-status") === wanted) &&
          (!number || row.getAttribute("data-cites").toLowerCase().split("|").indexOf(number) >= 0);
        row.hidden = !visible;
        if (visible) { count += 1; }
      });
      shown.textContent = count + " shown";
    };
    [text, status, cites].forEach(function (input) { input.addEventListener("input", apply); });
    var query = new URLSearchParams(window.location.search);
    if (query.get("cites")) { cites.value = query.get("cites"); }
    apply();
  }

  // ---- a document page: the item panel
  var itemsData = document.getElementById("items-data");
  if (!itemsData) { return; }
  var items = JSON.parse(itemsData.textContent);
  var pages = JSON.parse(document.getElementById("pages-data").textContent);
  var panelItem = document.getElementById("panel-item"), panelPages = document.getElementById("panel-pages");
  var hint = document.getElementById("panel-hint");

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined) { node.textContent = content; }
    return node;
  }

  function showPages(item) {
    panelPages.textContent = "";
    var byPage = {};
    (item.boxes || []).forEach(function (box) { (byPage[box[0]] = byPage[box[0]] || []).push(box); });
    if (!item.boxes.length && item.page) { byPage[item.page] = []; }
    Object.keys(byPage).forEach(function (number) {
      var page = pages[number];
      if (!page) { panelPages.appendChild(element("p", "note", "page " + number + ": no image")); return; }
      var figure = element("figure", "page");
      figure.setAttribute("data-page", number);
      // the boxes are placed in percent of the image: a frame exactly the image's size holds both
      var frame = element("div", "frame");
      var image = element("img");
      image.src = page.src;
      image.alt = "page " + number;
      frame.appendChild(image);
      figure.appendChild(frame);
      byPage[number].forEach(function (box) {
        var mark = element("div", "box");
        mark.style.left = (100 * box[1] / page.width) + "%";
        mark.style.top = (100 * box[2] / page.height) + "%";
        mark.style.width = (100 * (box[3] - box[1]) / page.width) + "%";
        mark.style.height = (100 * (box[4] - box[2]) / page.height) + "%";
        frame.appendChild(mark);
      });
      figure.appendChild(element("figcaption", "", "page " + number));
      panelPages.appendChild(figure);
    });
    var first = panelPages.querySelector(".box");
    if (first) { first.scrollIntoView({block: "center"}); }
  }

  function select(index) {
    var item = items[index];
    document.querySelectorAll(".selected").forEach(function (node) { node.classList.remove("selected"); });
    document.querySelectorAll('[data-item="' + index + '"]').forEach(function (node) { node.classList.add("selected"); });
    hint.hidden = true;
    panelItem.textContent = "";
    panelItem.appendChild(element("h3", "", item.kind + " · characters " + item.span[0] + "–" + item.span[1] +
      (item.page ? " · page " + item.page : "")));
    panelItem.appendChild(element("p", "", item.label));
    var list = element("dl");
    Object.keys(item.fields).forEach(function (key) {
      var value = item.fields[key];
      if (value === null || value === "" || value === undefined) { return; }
      list.appendChild(element("dt", "", key));
      list.appendChild(element("dd", "", String(value)));
    });
    panelItem.appendChild(list);
    showPages(item);
  }

  document.getElementById("text").addEventListener("click", function (event) {
    var node = event.target.closest("[data-item]");
    if (node) { select(parseInt(node.getAttribute("data-item"), 10)); }
  });
  document.querySelectorAll("tr[data-ref]").forEach(function (row) {
    row.addEventListener("click", function () {
      var target = document.getElementById(row.getAttribute("data-ref"));
      if (!target) { return; }
      document.querySelectorAll("tr.selected").forEach(function (node) { node.classList.remove("selected"); });
      row.classList.add("selected");
      target.scrollIntoView({block: "center"});
      select(parseInt(target.getAttribute("data-item"), 10));
    });
  });
})();
