// Progressive enhancement of the address field (forms/fields/address.html): once seven digits
// are typed in the postal code box, fill the prefecture, city and town from /api/postal/<code>/.
// Without this file the "find the address" button asks the server to do the same.
(function () {
  "use strict";
  if (window.madoguchiAddress) return;
  window.madoguchiAddress = true;

  var PARTS = ["prefecture", "city", "town"];

  function digitsOf(text) {
    var ascii = text.replace(/[０-９]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
    });
    var match = /^\s*[〒〶〠]?\s*(\d{3})[-\s‐－ー−–—]?(\d{4})\s*$/.exec(ascii);
    return match ? match[1] + match[2] : null;
  }

  function setup(box) {
    var key = box.getAttribute("data-address");
    var input = function (part) { return document.getElementById("f-" + key + "-" + part); };
    var postal = input("postal_code");
    var status = document.getElementById("f-" + key + "-status");
    var list = document.getElementById("f-" + key + "-candidates");
    var url = box.getAttribute("data-lookup-url");
    var asked = null;
    // The messages come translated from the template.
    var FOUND = box.getAttribute("data-found");
    var NOT_FOUND = box.getAttribute("data-not-found");
    var SEVERAL = box.getAttribute("data-several");
    var CHOOSE = box.getAttribute("data-choose");
    if (!postal || !status || !list || !url) return;

    function announce(text, ok) {
      status.textContent = text;
      status.className = "address__status notice" + (ok ? "" : " notice--error");
    }

    function fill(candidate) {
      PARTS.forEach(function (part) { input(part).value = candidate[part] || ""; });
    }

    function offer(candidates) {
      list.textContent = "";
      var fieldset = document.createElement("fieldset");
      var legend = document.createElement("legend");
      legend.textContent = CHOOSE;
      fieldset.appendChild(legend);
      var ul = document.createElement("ul");
      ul.className = "choices";
      candidates.forEach(function (c, i) {
        var li = document.createElement("li");
        li.className = "choice";
        var radio = document.createElement("input");
        radio.type = "radio";
        radio.name = key + "-candidate";
        radio.value = String(i);
        radio.id = "f-" + key + "-candidate-" + i;
        radio.dataset.prefecture = c.prefecture;
        radio.dataset.city = c.city;
        radio.dataset.town = c.town;
        var label = document.createElement("label");
        label.htmlFor = radio.id;
        label.textContent = [c.prefecture, c.city, c.town].filter(Boolean).join(" ");
        li.appendChild(radio);
        li.appendChild(label);
        ul.appendChild(li);
      });
      fieldset.appendChild(ul);
      list.appendChild(fieldset);
    }

    function lookUp(digits) {
      asked = digits;
      fetch(url.replace("0000000", digits), {headers: {Accept: "application/json"}})
        .then(function (response) {
          if (response.status === 404) return {candidates: []};
          if (!response.ok) throw new Error("lookup failed");
          return response.json();
        })
        .then(function (data) {
          if (asked !== digits) return;  // a newer code was typed meanwhile
          var candidates = data.candidates || [];
          list.textContent = "";
          if (candidates.length === 0) {
            announce(NOT_FOUND, false);
          } else if (candidates.length === 1) {
            fill(candidates[0]);
            announce(FOUND, true);
          } else {
            PARTS.forEach(function (part) {
              var first = candidates[0][part];
              var same = candidates.every(function (c) { return c[part] === first; });
              input(part).value = same ? first : "";
            });
            offer(candidates);
            announce(SEVERAL, true);
          }
        })
        .catch(function () { asked = null; });  // the button still works
    }

    postal.addEventListener("input", function () {
      var digits = digitsOf(postal.value);
      if (digits && digits !== asked) lookUp(digits);
    });
    list.addEventListener("change", function (event) {
      var radio = event.target;
      if (radio && radio.name === key + "-candidate") fill(radio.dataset);
    });
  }

  function start() {
    document.querySelectorAll("[data-address]").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
