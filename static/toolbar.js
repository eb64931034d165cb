// The editor's toolbar (templates/pages/_toolbar.html): buttons that write the
// Markdown for people who do not know it by heart. Without this script the
// toolbar stays hidden and the editor is the plain text with its help.
// - Each button wraps the selection (or every selected line) or, with nothing
//   selected, inserts a snippet with its placeholder selected, ready to type over.
// - Changes go through execCommand("insertText") where the browser has it, so
//   Ctrl+Z undoes them like typing; it fires "input", which the live preview
//   (editor.js) follows. Elsewhere setRangeText, and an "input" event of ours.
// - One tab stop: arrow keys, Home and End move between the buttons (roving tabindex).
// - Ctrl/Cmd+B, I, K and Shift+K in the text.
// - The wiki link panel suggests page titles from the REST API as you type
//   (an ARIA combobox); plugins' panels (slot editor_toolbar) open from their
//   button (aria-controls) and insert the data-insert of the button chosen.
// Placeholders and messages come translated in data- attributes; the English
// here is the fallback.
(function () {
  "use strict";
  var area = document.querySelector(".md-toolbar-area");
  var text = document.querySelector("form.editor textarea[name=body]");
  if (!area || !text) { return; }
  var bar = area.querySelector("[role=toolbar]");

  // --- Changing the text ----------------------------------------------------------

  // Replace text[start, end) by `insert`, then select [selStart, selEnd) (offsets
  // in the new text). Undoable where the browser allows it.
  function replace(start, end, insert, selStart, selEnd) {
    var before = text.value;
    text.focus();
    text.setSelectionRange(start, end);
    var done = !insert && start === end;  // nothing to change ("delete" would take a character)
    try {
      if (!done) { done = document.execCommand(insert ? "insertText" : "delete", false, insert); }
    } catch (e) { done = false; }
    var expected = before.slice(0, start) + insert + before.slice(end);
    if (!done || text.value !== expected) {
      text.value = before;
      text.setRangeText(insert, start, end, "end");
      text.dispatchEvent(new Event("input", { bubbles: true }));  // the live preview follows
    }
    text.setSelectionRange(selStart, selEnd);
  }

  function selection() {
    var value = text.value, start = text.selectionStart, end = text.selectionEnd;
    return { value: value, start: start, end: end, selected: value.slice(start, end) };
  }

  // The run of `ch` just before `at` (backwards) or from `at` (forwards).
  function run(value, at, ch, backwards) {
    var n = 0;
    while (backwards ? value.charAt(at - n - 1) === ch : value.charAt(at + n) === ch) { n += 1; }
    return n;
  }

  // Wrap the selection in marker (** or * or `); unwrap when it is wrapped
  // already. `fits(count)` says whether a run of markers around it is ours.
  function wrap(marker, placeholder, fits) {
    var s = selection(), ch = marker.charAt(0), m = marker.length;
    // Leading and trailing spaces stay outside: "**word** " and not "**word **".
    var lead = s.selected.length - s.selected.replace(/^\s+/, "").length;
    var trail = s.selected.length - s.selected.replace(/\s+$/, "").length;
    var start = s.start, end = s.end;
    if (s.selected.trim()) { start += lead; end -= trail; }
    var inner = s.value.slice(start, end);
    if (fits(run(s.value, start, ch, true)) && fits(run(s.value, end, ch, false))) {
      // Already wrapped: take the markers away, keep the words selected.
      replace(start - m, end + m, inner, start - m, end - m);
      return;
    }
    if (inner.length > 2 * m && inner.slice(0, m) === marker && inner.slice(-m) === marker &&
        fits(run(inner, 0, ch, false)) && fits(run(inner, inner.length, ch, true))) {
      replace(start, end, inner.slice(m, -m), start, end - 2 * m);
      return;
    }
    if (!inner.trim()) { inner = placeholder; }
    replace(start, end, marker + inner + marker, start + m, start + m + inner.length);
  }

  // The whole lines the selection touches.
  function lines() {
    var s = selection();
    var start = s.start === 0 ? 0 : s.value.lastIndexOf("\n", s.start - 1) + 1;
    var endAt = s.end > s.start && s.value.charAt(s.end - 1) === "\n" ? s.end - 1 : s.end;
    var end = s.value.indexOf("\n", endAt);
    if (end < 0) { end = s.value.length; }
    return { start: start, end: end, lines: s.value.slice(start, end).split("\n"), s: s };
  }

  // Give every selected line the prefix prefix(i) (remove it from every line
  // when all have one, `has` saying which). An empty line with nothing selected
  // gets the prefix and the placeholder, selected.
  function prefixLines(prefix, has, placeholder) {
    var l = lines();
    if (l.s.start === l.s.end && l.lines.length === 1 && !l.lines[0].trim() && placeholder) {
      var p = prefix(0);
      replace(l.start, l.end, p + placeholder, l.start + p.length, l.start + p.length + placeholder.length);
      return;
    }
    var all = l.lines.every(function (line) { return !line.trim() || has.test(line); });
    var counted = 0;  // blank lines are not items
    var changed = l.lines.map(function (line) {
      if (all) { return line.replace(has, ""); }
      return line.trim() ? prefix(counted++) + line : line;
    }).join("\n");
    var cursorOnly = l.s.start === l.s.end;
    var shift = changed.length - (l.end - l.start);
    if (cursorOnly) {  // the cursor stays by the same character
      var firstShift = changed.split("\n")[0].length - l.lines[0].length;
      var at = Math.max(l.start, l.s.start + firstShift);
      replace(l.start, l.end, changed, at, at);
    } else {
      replace(l.start, l.end, changed, l.start, l.end + shift);
    }
  }

  // Blank lines around a block inserted at [start, end), as Markdown needs them.
  function blockAt(start, end, block, selFrom, selLength) {
    var value = text.value;
    var before = value.slice(0, start), after = value.slice(end);
    var head = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var tail = !after ? "\n" : (/^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n"));
    var at = start + head.length + selFrom;
    replace(start, end, head + block + tail, at, at + selLength);
  }

  // A block (section, panel, fence) around the selected lines, or a snippet.
  function blockAround(first, indent, last, placeholder, bodyText) {
    var s = selection();
    var l = s.start === s.end ? null : lines();
    var start = l ? l.start : s.start, end = l ? l.end : s.end;
    var body = l ? l.lines : [bodyText];
    var block = first.replace("{title}", placeholder) + "\n" +
      body.map(function (line) { return line.trim() ? indent + line : line; }).join("\n") + last;
    var from = first.indexOf("{title}");
    blockAt(start, end, block, from < 0 ? 0 : from, from < 0 ? 0 : placeholder.length);
  }

  function data(button, key, english) {
    return (button && button.dataset[key]) || english;
  }

  var ACTIONS = {
    bold: function (b) {
      wrap("**", data(b, "placeholder", "bold text"), function (n) { return n === 2 || n === 3; });
    },
    italic: function (b) {
      wrap("*", data(b, "placeholder", "italic text"), function (n) { return n === 1 || n === 3; });
    },
    code: function (b) {
      var s = selection();
      if (s.selected.indexOf("\n") >= 0) {
        var l = lines();
        if (/^```/.test(l.lines[0]) && /^```\s*$/.test(l.lines[l.lines.length - 1]) && l.lines.length > 1) {
          var inner = l.lines.slice(1, -1).join("\n");  // a fenced block already: unfence it
          replace(l.start, l.end, inner, l.start, l.start + inner.length);
          return;
        }
        var fenced = "```\n" + l.lines.join("\n") + "\n```";
        blockAt(l.start, l.end, fenced, 0, fenced.length);
        return;
      }
      if (s.selected.indexOf("`") >= 0) {  // code holding a backtick needs a double one
        replace(s.start, s.end, "`` " + s.selected + " ``", s.start + 3, s.end + 3);
        return;
      }
      wrap("`", data(b, "placeholder", "code"), function (n) { return n === 1; });
    },
    heading: function (b) {
      var l = lines(), line = l.lines[0], s = l.s;
      var level = /^(#{1,6})\s+/.exec(line);
      if (!line.trim() && s.start === s.end) {
        var words = data(b, "placeholder", "Heading");
        replace(l.start, l.end, "## " + words, l.start + 3, l.start + 3 + words.length);
        return;
      }
      // "## " on the line, another level becomes "## ", "## " goes away.
      var old = level ? level[0].length : 0;
      var added = level && level[1] === "##" ? "" : "## ";
      var shift = added.length - old;
      var lineEnd = l.start + line.length;
      replace(l.start, lineEnd, added + line.slice(old), Math.max(l.start, s.start + shift),
              Math.max(l.start, s.end + shift));
    },
    link: function (b) {
      var s = selection(), words = data(b, "placeholder", "link text");
      if (/^(https?:\/\/|mailto:)\S+$/.test(s.selected.trim())) {  // an address: ask for its words
        replace(s.start, s.end, "[" + words + "](" + s.selected.trim() + ")", s.start + 1, s.start + 1 + words.length);
        return;
      }
      var label = s.selected || words, url = "https://";
      var at = s.start + 1 + label.length + 2;
      replace(s.start, s.end, "[" + label + "](" + url + ")",
              s.selected ? at : s.start + 1, s.selected ? at + url.length : s.start + 1 + label.length);
    },
    bullets: function (b) {
      prefixLines(function () { return "- "; }, /^\s*[-*+]\s+/, data(b, "placeholder", "List item"));
    },
    numbers: function (b) {
      prefixLines(function (i) { return (i + 1) + ". "; }, /^\s*\d+[.)]\s+/, data(b, "placeholder", "List item"));
    },
    quote: function (b) {
      prefixLines(function () { return "> "; }, /^>\s?/, data(b, "placeholder", "Quoted text"));
    },
    table: function (b) {
      var s = selection();
      var column = data(b, "placeholder", "Column {n}"), cell = data(b, "cell", "Text");
      var rows;
      if (s.selected.trim()) {  // cells copied from a spreadsheet come separated by tabs
        var l = lines();
        rows = l.lines.filter(function (line) { return line.trim(); }).map(function (line) {
          return line.split("\t").map(function (c) { return c.trim().replace(/\|/g, "\\|"); });
        });
        var width = Math.max.apply(null, rows.map(function (r) { return r.length; }));
        rows = rows.map(function (r) { while (r.length < width) { r.push(""); } return r; });
        if (rows.length === 1) { rows.push(rows[0].map(function () { return ""; })); }
        var table = tableText(rows);
        blockAt(l.start, l.end, table, 0, table.length);
        return;
      }
      rows = [[column.replace("{n}", "1"), column.replace("{n}", "2")], [cell, cell]];
      blockAt(s.start, s.end, tableText(rows), 2, rows[0][0].length);
    },
    section: function (b) {
      blockAround('??? "{title}"', "    ", "", data(b, "placeholder", "Section title"),
                  data(b, "text", "Text of the section."));
    },
    panel: function (b) {
      blockAround('!!! info "{title}"', "    ", "", data(b, "placeholder", "Panel title"),
                  data(b, "text", "Text of the panel."));
    },
    wikilink: function (b) { openPanel(wikilinkPanel, b); }
  };

  function tableText(rows) {
    var line = function (cells) { return "| " + cells.join(" | ") + " |"; };
    return [line(rows[0]), line(rows[0].map(function () { return "---"; }))]
      .concat(rows.slice(1).map(line)).join("\n");
  }

  // --- Panels (wiki link, plugins') ---------------------------------------------

  var saved = null;  // the text's selection when a panel opened
  var opener = null;
  var wikilinkPanel = document.getElementById("wikilink-panel");

  // Plugins' panels come in the toolbar's slot: they are not buttons of the
  // toolbar, so they go after it.
  bar.querySelectorAll(".toolbar-panel").forEach(function (panel) { area.appendChild(panel); });

  function openPanel(panel, button) {
    if (!panel) { return; }
    closePanels();
    saved = { start: text.selectionStart, end: text.selectionEnd };
    opener = button;
    panel.hidden = false;
    if (button) { button.setAttribute("aria-expanded", "true"); }
    panel.dispatchEvent(new CustomEvent("toolbar:open"));
    var first = panel.querySelector("input, button:not([hidden]), [tabindex='0']");
    if (first) { first.focus(); }
  }

  function closePanels(back) {
    area.querySelectorAll(".toolbar-panel").forEach(function (panel) { panel.hidden = true; });
    bar.querySelectorAll("[aria-expanded]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
    if (back && saved) {
      text.focus();
      text.setSelectionRange(saved.start, saved.end);
    }
  }

  // Insert `insert` where the selection was when the panel opened;
  // selectFrom/selectLength: what to select in it afterwards (default: after it).
  function insertFromPanel(insert, selectFrom, selectLength) {
    var where = saved || { start: text.selectionStart, end: text.selectionEnd };
    closePanels();
    var from = selectFrom === undefined ? insert.length : selectFrom;
    replace(where.start, where.end, insert, where.start + from, where.start + from + (selectLength || 0));
    saved = null;
  }

  area.addEventListener("click", function (event) {
    var choice = event.target.closest("[data-insert]");
    if (choice && area.contains(choice)) { insertFromPanel(choice.dataset.insert); return; }
    if (event.target.closest("[data-panel-close]")) { closePanels(true); }
  });
  area.addEventListener("keydown", function (event) {
    var panel = event.target.closest(".toolbar-panel");
    if (panel && event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      closePanels(true);
    }
  });

  // --- The wiki link combobox -------------------------------------------------------

  function wikilinkSetup(panel) {
    var input = panel.querySelector("[role=combobox]");
    var list = panel.querySelector("[role=listbox]");
    var status = panel.querySelector(".wikilink-status");
    var active = -1, timer = null, asked = 0;

    function options() { return list.querySelectorAll("[role=option]"); }

    function show(open) {
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) { activate(-1); }
    }

    function activate(i) {
      var all = options();
      active = i;
      all.forEach(function (o, n) { o.setAttribute("aria-selected", n === i ? "true" : "false"); });
      if (i >= 0 && all[i]) {
        input.setAttribute("aria-activedescendant", all[i].id);
        all[i].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function fill(items) {
      list.replaceChildren();
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "wikilink-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.title = item.title;
        li.textContent = item.title;
        list.appendChild(li);
      });
      status.textContent = items.length ? "" : (status.dataset.none || "No page has these words in its title.");
      show(items.length > 0);
    }

    function suggest() {
      var words = input.value.trim(), ticket = ++asked;
      if (!words) { fill([]); status.textContent = ""; return; }
      var url = panel.dataset.api + "?q=" + encodeURIComponent(words) + "&per_page=8";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("suggestions " + response.status); }
          return response.json();
        }).then(function (json) {
          if (ticket === asked) { fill(json.items || []); }
        }).catch(function () {
          if (ticket === asked) { list.replaceChildren(); show(false); }  // typing the title still works
        });
    }

    function choose(title) {
      title = (title || "").trim();
      if (!title) { return; }
      var where = saved || { start: text.selectionStart, end: text.selectionEnd };
      var words = text.value.slice(where.start, where.end).replace(/[\[\]|\n]/g, " ").trim();
      var link = "[[" + title + (words ? "|" + words : "") + "]]";
      insertFromPanel(link);
    }

    panel.addEventListener("toolbar:open", function () {
      var chosen = saved ? text.value.slice(saved.start, saved.end) : "";
      input.value = chosen.indexOf("\n") < 0 ? chosen.trim() : "";
      fill([]);
      status.textContent = "";
      if (input.value) { suggest(); }
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, 150);
    });
    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!all.length) { return; }
        if (list.hidden) { show(true); }
        var step = event.key === "ArrowDown" ? 1 : -1;
        activate(active < 0 ? (step > 0 ? 0 : all.length - 1) : (active + step + all.length) % all.length);
      } else if (event.key === "Enter") {
        event.preventDefault();  // never sends the page's form
        choose(active >= 0 && all[active] ? all[active].dataset.title : input.value);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();  // first Escape closes the list, the next the panel
        show(false);
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { show(false); }, 200); });
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the focus
    list.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { choose(option.dataset.title); }
    });
    panel.querySelector("[data-panel-insert]").addEventListener("click", function () {
      if (input.value.trim()) { choose(input.value); } else { input.focus(); }
    });
  }
  if (wikilinkPanel) { wikilinkSetup(wikilinkPanel); }

  // --- The toolbar's buttons and keys ---------------------------------------------

  function buttons() {
    return Array.prototype.filter.call(bar.querySelectorAll("button"), function (b) { return !b.hidden; });
  }

  function rove(target) {
    buttons().forEach(function (b) { b.tabIndex = b === target ? 0 : -1; });
    target.focus();
  }

  bar.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !bar.contains(button)) { return; }
    buttons().forEach(function (b) { b.tabIndex = b === button ? 0 : -1; });
    var action = ACTIONS[button.dataset.md];
    if (action) {
      closePanels();
      action(button);
    } else if (button.hasAttribute("aria-controls")) {  // a plugin's panel
      var panel = document.getElementById(button.getAttribute("aria-controls"));
      if (panel && !panel.hidden) { closePanels(true); } else { openPanel(panel, button); }
    }
  });

  bar.addEventListener("keydown", function (event) {
    var all = buttons(), i = all.indexOf(document.activeElement), next = null;
    if (i < 0) { return; }
    if (event.key === "ArrowRight" || event.key === "ArrowDown") { next = all[(i + 1) % all.length]; }
    if (event.key === "ArrowLeft" || event.key === "ArrowUp") { next = all[(i - 1 + all.length) % all.length]; }
    if (event.key === "Home") { next = all[0]; }
    if (event.key === "End") { next = all[all.length - 1]; }
    if (next) {
      event.preventDefault();
      rove(next);
    }
  });

  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };
  text.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) { return; }
    var key = event.key.toLowerCase();
    var name = event.shiftKey ? (key === "k" ? "wikilink" : null) : SHORTCUTS[key];
    if (!name) { return; }
    event.preventDefault();
    var button = bar.querySelector("[data-md=" + name + "]");
    ACTIONS[name](button);
  });

  // On a Mac the titles say Cmd rather than Ctrl.
  if (/Mac|iPhone|iPad/.test(navigator.platform || "")) {
    bar.querySelectorAll("[title]").forEach(function (b) { b.title = b.title.replace("Ctrl+", "\u2318"); });
  }

  // Shown just above the text (under its label), one tab stop on the first button.
  text.parentNode.insertBefore(area, text);
  var first = buttons()[0];
  if (first) { first.tabIndex = 0; }
  area.hidden = false;
})();
