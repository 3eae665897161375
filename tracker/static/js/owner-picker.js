// The owner picker (#10): each <select multiple data-owner-picker> becomes a combobox that
// filters by name, position and department as one types (Latin letters find Armenian names
// through the options' data-latin), with the chosen people as removable chips. The select
// stays in the form, hidden and kept in step, so what is posted is what it would post
// without this script. The people are read once from the first select and shared by every
// row: a page of 20 rows and 500 people builds one list, and shows at most LIMIT of it.
(function () {
  "use strict";

  var LIMIT = 50;
  var texts = {};

  function say(name, values) {
    var message = texts[name] || "";
    Object.keys(values || {}).forEach(function (key) {
      message = message.split("{" + key + "}").join(values[key]);
    });
    return message;
  }

  // Case and accents left out: "Zoë" is found by "zoe", "ԱՆԻ" by "անի".
  function fold(value) {
    return value.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function personOf(option) {
    var group = option.parentElement;
    var position = option.dataset.position || "";
    var label = option.textContent;
    var suffix = " — " + position;
    var name = position && label.slice(-suffix.length) === suffix
      ? label.slice(0, -suffix.length) : label;
    var unusual = option.dataset.unusual === "1";
    var department = unusual ? option.dataset.department || ""
      : group.tagName === "OPTGROUP" ? group.label : "";
    return {
      value: option.value,
      name: name,
      position: position,
      department: department,
      unusual: unusual,
      words: " " + fold([name, position, department, option.dataset.latin || ""].join(" ")),
    };
  }

  function directoryOf(select) {
    var people = Array.prototype.map.call(select.options, personOf);
    var byValue = new Map();
    people.forEach(function (person) { byValue.set(person.value, person); });
    return { people: people, byValue: byValue, size: select.options.length };
  }

  // Everyone whose words hold every typed word; those with a word starting like the first
  // typed word come first, each part in the page's order.
  function search(directory, query, wanted) {
    var typed = fold(query).split(/\s+/).filter(Boolean);
    if (!typed.length) {
      return directory.people.filter(wanted);
    }
    var first = [];
    var rest = [];
    directory.people.forEach(function (person) {
      if (!wanted(person)) { return; }
      for (var i = 0; i < typed.length; i += 1) {
        if (person.words.indexOf(typed[i]) < 0) { return; }
      }
      (person.words.indexOf(" " + typed[0]) >= 0 ? first : rest).push(person);
    });
    return first.concat(rest);
  }

  function element(tag, attributes, text) {
    var made = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      made.setAttribute(name, attributes[name]);
    });
    if (text) { made.textContent = text; }
    return made;
  }

  function Picker(select, directory) {
    this.select = select;
    this.directory = directory;
    this.results = [];
    this.active = -1;
    this.build();
    this.renderChips();
  }

  Picker.prototype.build = function () {
    var select = this.select;
    var id = select.id;
    var field = select.closest(".owner-field") || select.parentElement;
    var label = field.querySelector("label[for='" + id + "']");
    this.wrapper = element("div", { "class": "owner-picker" });
    this.chips = element("ul", { "class": "owner-chips", "aria-label": say("chosen") });
    this.input = element("input", {
      type: "text",
      id: id + "-search",
      "class": "owner-search",
      role: "combobox",
      autocomplete: "off",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-listbox",
      placeholder: say("placeholder"),
    });
    if (select.getAttribute("aria-invalid") === "true") {
      this.input.setAttribute("aria-invalid", "true");
    }
    this.listbox = element("ul", { id: id + "-listbox", role: "listbox", "class": "owner-listbox" });
    // The note under the list: nobody matches, or how many more there are than shown.
    this.note = element("p", { "class": "owner-note muted small" });
    this.dropdown = element("div", { "class": "owner-dropdown" });
    this.dropdown.hidden = true;
    this.dropdown.appendChild(this.listbox);
    this.dropdown.appendChild(this.note);
    this.status = element("div", { role: "status", "class": "visually-hidden" });
    var unusualLabel = element("label", { "class": "checkbox owner-unusual" });
    this.unusual = element("input", { type: "checkbox", id: id + "-unusual" });
    unusualLabel.appendChild(this.unusual);
    unusualLabel.appendChild(document.createTextNode(" " + say("unusual")));
    if (label) {
      label.setAttribute("for", this.input.id);
      label.id = label.id || id + "-label";
      this.listbox.setAttribute("aria-labelledby", label.id);
    }
    // The list opens over what follows the search box, so the checkbox comes before it.
    var box = element("div", { "class": "owner-search-box" });
    box.appendChild(this.input);
    box.appendChild(this.dropdown);
    [this.chips, unusualLabel, box, this.status].forEach(
      function (part) { this.wrapper.appendChild(part); }, this);
    select.hidden = true;
    select.insertAdjacentElement("afterend", this.wrapper);
    var hint = field.querySelector(".owner-hint");
    if (hint) { hint.hidden = true; }
    this.listen();
  };

  Picker.prototype.listen = function () {
    var picker = this;
    this.input.addEventListener("input", function () { picker.open(); });
    this.input.addEventListener("click", function () { picker.open(); });
    this.input.addEventListener("keydown", function (event) { picker.key(event); });
    this.input.addEventListener("blur", function () { picker.close(); });
    // A click on an option must not blur the input first (which would close the list).
    this.dropdown.addEventListener("mousedown", function (event) { event.preventDefault(); });
    this.listbox.addEventListener("click", function (event) {
      var item = event.target.closest("[role=option]");
      if (item) { picker.pick(picker.results[Number(item.dataset.index)]); }
    });
    // Ticked while searching: back to the search, its results now with the registry.
    this.unusual.addEventListener("change", function () {
      if (picker.input.value) {
        picker.input.focus();
        picker.open();
      }
    });
    this.chips.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-value]");
      if (button) { picker.remove(button.dataset.value); }
    });
  };

  Picker.prototype.isOpen = function () { return !this.dropdown.hidden; };

  Picker.prototype.key = function (event) {
    var open = this.isOpen();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) { this.open(); }
      this.moveTo(Math.min(this.active + 1, this.shown() - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) { this.moveTo(Math.max(this.active - 1, 0)); }
    } else if (event.key === "Enter") {
      // Enter chooses; it never submits the review from the search box.
      event.preventDefault();
      if (open && this.active >= 0) { this.pick(this.results[this.active]); }
    } else if (event.key === "Escape") {
      if (open) {
        event.preventDefault();
        this.close();
      } else if (this.input.value) {
        event.preventDefault();
        this.input.value = "";
      }
    } else if (event.key === "Backspace" && !this.input.value) {
      var chosen = this.select.selectedOptions;
      if (chosen.length) { this.remove(chosen[chosen.length - 1].value); }
    }
  };

  Picker.prototype.shown = function () { return Math.min(this.results.length, LIMIT); };

  Picker.prototype.wanted = function () {
    var select = this.select;
    var withUnusual = this.unusual.checked;
    var chosen = new Set(Array.prototype.map.call(select.selectedOptions, function (option) {
      return option.value;
    }));
    return function (person) {
      return !chosen.has(person.value) && (withUnusual || !person.unusual);
    };
  };

  Picker.prototype.open = function () {
    this.results = search(this.directory, this.input.value, this.wanted());
    this.active = -1;
    var items = document.createDocumentFragment();
    var id = this.listbox.id;
    this.results.slice(0, LIMIT).forEach(function (person, index) {
      var item = element("li", {
        id: id + "-" + index,
        role: "option",
        "aria-selected": "false",
        "data-index": String(index),
      });
      item.appendChild(element("span", { "class": "owner-option-name" }, person.name));
      var about = [person.position, person.department].filter(Boolean).join(" · ");
      if (about) { item.appendChild(element("span", { "class": "owner-option-about" }, about)); }
      items.appendChild(item);
    });
    this.listbox.replaceChildren(items);
    var count = this.results.length;
    var note = !count ? say("none") : count > LIMIT ? say("more", { count: count - LIMIT }) : "";
    this.note.textContent = note;
    this.note.hidden = !note;
    this.listbox.hidden = !count;
    this.status.textContent = count ? say("found", { count: count }) : say("none");
    this.dropdown.hidden = false;
    this.input.setAttribute("aria-expanded", count ? "true" : "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.close = function () {
    this.dropdown.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Picker.prototype.moveTo = function (index) {
    if (index < 0) { return; }
    var previous = this.listbox.querySelector("[aria-selected=true]");
    if (previous) { previous.setAttribute("aria-selected", "false"); }
    var item = this.listbox.children[index];
    this.active = index;
    item.setAttribute("aria-selected", "true");
    this.input.setAttribute("aria-activedescendant", item.id);
    item.scrollIntoView({ block: "nearest" });
  };

  Picker.prototype.optionFor = function (value) {
    for (var i = 0; i < this.select.options.length; i += 1) {
      if (this.select.options[i].value === value) { return this.select.options[i]; }
    }
    return null;
  };

  Picker.prototype.changed = function () {
    this.select.dispatchEvent(new Event("change", { bubbles: true }));
    this.renderChips();
  };

  Picker.prototype.pick = function (person) {
    var option = person && this.optionFor(person.value);
    if (!option) { return; }
    option.selected = true;
    this.input.value = "";
    this.close();
    this.changed();
    this.input.focus();
  };

  Picker.prototype.remove = function (value) {
    var option = this.optionFor(value);
    if (!option) { return; }
    option.selected = false;
    this.changed();
    this.input.focus();
  };

  Picker.prototype.renderChips = function () {
    var chips = document.createDocumentFragment();
    var directory = this.directory;
    Array.prototype.forEach.call(this.select.selectedOptions, function (option) {
      var person = directory.byValue.get(option.value) || personOf(option);
      var chip = element("li", { "class": "owner-chip" });
      chip.appendChild(element("span", {}, person.name));
      var button = element("button", {
        type: "button",
        "class": "owner-chip-remove",
        "data-value": person.value,
        "aria-label": say("remove", { name: person.name }),
      }, "×");
      chip.appendChild(button);
      chips.appendChild(chip);
    });
    this.chips.replaceChildren(chips);
    this.chips.hidden = !this.select.selectedOptions.length;
  };

  function start() {
    var source = document.getElementById("owner-picker-texts");
    if (source) { texts = Object.assign({}, source.dataset); }
    var selects = document.querySelectorAll("select[data-owner-picker]");
    var shared = null;
    Array.prototype.forEach.call(selects, function (select) {
      // Every row offers the same people; a select that differs gets a list of its own.
      if (!shared || shared.size !== select.options.length) { shared = directoryOf(select); }
      new Picker(select, shared);
    });
  }

  start();
}());
