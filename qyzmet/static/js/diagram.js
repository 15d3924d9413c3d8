// The process diagrams of a regulation's page, drawn by bpmn-js's navigated viewer
// (static/vendor/bpmn-navigated-viewer.min.js, from the npm lock) from the page's own BPMN export
// (<script type="application/json" id=ID> beside <figure class="diagram" data-bpmn="ID" hidden>).
// The export's diagram interchange places every shape and label; the viewer only draws, pans and
// zooms. The step table after each figure is the accessible form and what a browser without
// JavaScript shows: the figure stays hidden unless the diagram was drawn.
(function () {
  "use strict";
  if (typeof BpmnJS === "undefined") return;
  // the smallest zoom at which the diagram opens: its 12 px labels still legible (a little smaller on a phone)
  var READABLE = window.matchMedia("(max-width: 600px)").matches ? 0.7 : 0.9;
  var MAX_HEIGHT = 600;

  function open(canvas, container) {
    // the whole diagram when it fits at a legible zoom; otherwise its start, at that zoom
    var box = canvas.viewbox();
    var inner = box.inner;
    var width = container.clientWidth;
    var scale = Math.min(1, width / (inner.width + 20));
    if (scale < READABLE) scale = READABLE;
    container.style.height = Math.min(MAX_HEIGHT, Math.ceil((inner.height + 20) * scale)) + "px";
    canvas.resized();
    canvas.viewbox({
      x: inner.x - 10,
      y: inner.y - 10,
      width: container.clientWidth / scale,
      height: container.clientHeight / scale,
    });
  }

  document.querySelectorAll("figure.diagram[data-bpmn]").forEach(function (figure) {
    var source = document.getElementById(figure.dataset.bpmn);
    var container = figure.querySelector(".diagram-canvas");
    if (!source || !container) return;
    figure.hidden = false;
    var viewer = new BpmnJS({ container: container });
    viewer
      .importXML(JSON.parse(source.textContent))
      .then(function () {
        var canvas = viewer.get("canvas");
        open(canvas, container);
        var svg = container.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", container.getAttribute("aria-label"));
        }
        figure.querySelectorAll("button[data-zoom]").forEach(function (button) {
          button.addEventListener("click", function () {
            var how = button.dataset.zoom;
            if (how === "fit") canvas.zoom("fit-viewport", "auto");
            else canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8));
          });
        });
        // a step selected in the diagram is found in the table
        var table = document.getElementById(figure.dataset.bpmn + "-steps");
        viewer.get("eventBus").on("element.click", function (event) {
          var element = event.element;
          if (!table || !element.businessObject || element.type !== "bpmn:Task") return;
          var step = (element.businessObject.documentation || [])[0];
          var match = step && /^step (\S+);/.exec(step.text || "");
          var row = match && table.querySelector('tr[data-step="' + match[1] + '"]');
          if (!row) return;
          row.scrollIntoView({ block: "center" });
          row.classList.add("found");
          setTimeout(function () { row.classList.remove("found"); }, 2000);
        });
        figure.dataset.drawn = "true";
      })
      .catch(function (error) {
        figure.hidden = true;
        figure.dataset.error = String(error && error.message || error);
      });
  });
})();
