// The interactive step-through of autograd.view: plain JavaScript, no library, no network.
// State is one number, the step. Showing a step folds the frames up to it (which boxes are visible,
// each box's data and grad text) and marks the step's own current box, inputs and edges; it changes
// classes and text in the SVG that Graphviz laid out once, and never lays anything out again.
function chainruleView(root) {
  "use strict";
  if (!root || root.dataset.ready) return;
  root.dataset.ready = "1";
  var data = JSON.parse(root.querySelector(".crv-data").textContent);
  var frames = data.frames, boxes = data.boxes || {}, inside = data.inside || {};
  var svg = root.querySelector(".crv-graph svg");
  var graph = root.querySelector(".crv-graph");
  var panel = root.querySelector(".crv-panel");
  var slider = root.querySelector(".crv-slider");
  var count = root.querySelector(".crv-count");
  var phase = root.querySelector(".crv-phase");
  var playButton = root.querySelector('[data-act="play"]');
  var step = 0, timer = null, opened = null, shownPanel = null;

  // Each box's data and grad lines (found by what they say: Graphviz gives table cells no ids) and each
  // edge's label, looked up once.
  var nodes = {}, edges = {};
  svg.querySelectorAll("g.node").forEach(function (g) {
    var texts = g.querySelectorAll("text"), entry = { g: g, data: null, grad: null };
    texts.forEach(function (t) {
      var s = t.textContent;
      if (s.lastIndexOf("data", 0) === 0) entry.data = t;
      else if (s.lastIndexOf("grad", 0) === 0) entry.grad = t;
    });
    nodes[g.id] = entry;
  });
  svg.querySelectorAll("g.edge").forEach(function (g) {
    edges[g.id] = { g: g, texts: g.querySelectorAll("text") };
  });
  function box(id) { return nodes[boxes[id] || id]; }

  // A graph somewhat wider than its area is shrunk to fit (text stays readable); a much wider one scrolls.
  function fit() {
    var natural = parseFloat(svg.getAttribute("width")) * 96 / 72, room = graph.clientWidth;
    if (natural > room && room / natural >= 0.68) { svg.style.width = room + "px"; svg.style.height = "auto"; }
    else svg.style.width = natural + "px";
  }
  fit();
  if (window.ResizeObserver) new ResizeObserver(fit).observe(graph);

  // The state at step k: frames 0..k folded. Stepping forward by one applies one frame to the last state.
  var cache = { step: -1, s: null };
  function fresh() { return { hidden: {}, data: {}, grad: {}, done: {}, partial: {} }; }
  function apply(s, f) {
    var id;
    (f.hide || []).forEach(function (id) { s.hidden[id] = true; });
    (f.show || []).forEach(function (id) { delete s.hidden[id]; });
    for (id in f.data || {}) s.data[id] = f.data[id];
    for (id in f.grad || {}) s.grad[id] = f.grad[id];
    (f.partial || []).forEach(function (id) { s.partial[id] = true; });
    (f.complete || []).forEach(function (id) { delete s.partial[id]; });
    if (f.done) { s.done = {}; f.done.forEach(function (id) { s.done[id] = true; }); }
  }
  function state(k) {
    if (cache.step === k && cache.s) return cache.s;
    if (cache.step === k - 1 && cache.s) { apply(cache.s, frames[k]); }
    else { cache.s = fresh(); for (var i = 0; i <= k; i++) apply(cache.s, frames[i]); }
    cache.step = k;
    return cache.s;
  }

  function setText(el, text) { if (el && el.textContent !== text) el.textContent = text; }
  function mark(el, cls, on) { if (el && el.classList.contains(cls) !== !!on) el.classList.toggle(cls, !!on); }

  function show(k) {
    step = Math.max(0, Math.min(frames.length - 1, k));
    var s = state(step), f = frames[step], id;
    var current = f.current, inputs = {}, active = f.edges || {};
    (f.inputs || []).forEach(function (id) { inputs[boxes[id] || id] = true; });
    var hidden = onBoxes(s.hidden), done = onBoxes(s.done), partial = onBoxes(s.partial);
    for (id in nodes) {
      var n = nodes[id];
      mark(n.g, "crv-future", hidden[id]);
      mark(n.g, "crv-current", current && (boxes[current] || current) === id);
      mark(n.g, "crv-input", inputs[id]);
      mark(n.g, "crv-done", done[id]);
      mark(n.g, "crv-partial", partial[id]);
    }
    for (id in s.data) { var b = box(id); if (b && (!boxes[id] || isOutput(id))) setText(b.data, s.data[id]); }
    for (id in s.grad) { var c = box(id); if (c && (!boxes[id] || isOutput(id))) setText(c.grad, s.grad[id]); }
    for (id in edges) {
      var e = edges[id], on = Object.prototype.hasOwnProperty.call(active, id);
      mark(e.g, "crv-active", on);
      if (on) {
        var lines = active[id].split("\n");
        for (var j = 0; j < e.texts.length; j++) setText(e.texts[j], lines[j] || "");
      }
    }
    var html = f.panel + (opened ? detail(opened, s) : "");
    if (shownPanel !== html) { panel.innerHTML = html; shownPanel = html; }
    slider.value = String(step);
    count.textContent = (step + 1) + " / " + frames.length;
    phase.textContent = f.phase === "start" ? "" : f.phase;
    phase.className = "crv-phase crv-" + f.phase;
    if (current) follow(box(current));
  }

  // A set of Values as a set of boxes: a collapsed neuron's box takes the state of its output.
  function onBoxes(set) {
    var out = {};
    for (var id in set) if (!boxes[id] || isOutput(id)) out[boxes[id] || id] = true;
    return out;
  }

  // The output of a collapsed group is its last member: the box shows that Value's numbers.
  function isOutput(id) {
    var members = inside[boxes[id]] || [];
    return members.length && members[members.length - 1][0] === id;
  }

  function detail(groupId, s) {
    var rows = (inside[groupId] || []).map(function (m) {
      var d = s.data[m[0]] || "data", g = s.grad[m[0]] || "grad";
      return "<tr><th>" + m[1] + "</th><td>" + (s.hidden[m[0]] ? "not computed yet" : d) + "</td><td>" + g + "</td></tr>";
    });
    return '<table class="crv-inside"><caption>inside this neuron (click the box again to close)</caption>' +
      rows.join("") + "</table>";
  }

  // Keep the current box in view inside the graph's own scrolling area (never scroll the page).
  function follow(n) {
    if (!n || graph.scrollHeight <= graph.clientHeight && graph.scrollWidth <= graph.clientWidth) return;
    var r = n.g.getBoundingClientRect(), a = graph.getBoundingClientRect();
    if (r.top < a.top || r.bottom > a.bottom) graph.scrollTop += r.top - a.top - (a.height - r.height) / 2;
    if (r.left < a.left || r.right > a.right) graph.scrollLeft += r.left - a.left - (a.width - r.width) / 2;
  }

  function play(on) {
    if (on && step >= frames.length - 1) show(0);
    if (timer) { clearInterval(timer); timer = null; }
    if (on) timer = setInterval(function () {
      if (step >= frames.length - 1) play(false); else show(step + 1);
    }, 900);
    playButton.textContent = on ? "⏸ pause" : "▶ play";
    playButton.setAttribute("aria-label", on ? "pause" : "play");
  }

  function act(what) {
    if (what === "play") { play(!timer); return; }
    play(false);
    if (what === "next") show(step + 1);
    else if (what === "prev") show(step - 1);
    else if (what === "home") show(0);
    else if (what === "end") show(frames.length - 1);
  }

  root.querySelectorAll("button[data-act]").forEach(function (b) {
    b.addEventListener("click", function () { act(b.getAttribute("data-act")); });
  });
  slider.addEventListener("input", function () { play(false); show(parseInt(slider.value, 10)); });
  // Keys are caught on the window, in the capture phase, while focus is inside a view: Jupyter Notebook 7
  // handles its shortcuts on the document in that phase and stops them there, so a listener on the view
  // would never hear them. One listener serves every view on the page: it asks the view that holds the
  // focus (nothing keeps a view alive once its output is gone). Jupyter must not see the keys a view uses.
  var keys = { ArrowRight: "next", ArrowDown: "next", n: "next", ArrowLeft: "prev", ArrowUp: "prev",
    p: "prev", " ": "play", Home: "home", End: "end" };
  root.chainruleKey = function (ev) {
    var what = keys[ev.key];
    if (!what || ev.altKey || ev.ctrlKey || ev.metaKey) return;
    ev.stopPropagation();
    if (ev.target === slider && what !== "play") return;  // the slider moves itself with the arrows
    ev.preventDefault();
    act(what);
  };
  if (!window.chainruleKeys) {
    window.chainruleKeys = true;
    window.addEventListener("keydown", function (ev) {
      var view = ev.target && ev.target.closest ? ev.target.closest(".crv") : null;
      if (view && view.chainruleKey) view.chainruleKey(ev);
    }, true);
  }
  for (var g in inside) (function (g) {
    var n = nodes[g];
    if (!n) return;
    n.g.classList.add("crv-group");
    n.g.addEventListener("click", function () { opened = opened === g ? null : g; show(step); });
  })(g);
  show(0);
}
