// The pipeline board: cards are dragged between columns with SortableJS; a drop posts the
// move with htmx, which swaps in the whole board so every column's count and totals are
// fresh. Won and Lost are drop targets too (losing asks for the reason). The folded "Move…"
// control on each card does the same from the keyboard.
(function () {
  function initBoard(root) {
    var board = root.id === "board" ? root : root.querySelector && root.querySelector("#board");
    if (!board || typeof Sortable === "undefined" || board.dataset.sortable) { return; }
    board.dataset.sortable = "on";
    board.querySelectorAll(".board-cards").forEach(function (list) {
      Sortable.create(list, {
        group: "board",
        draggable: ".board-card",
        filter: "select, button, a, input, label",
        preventOnFilter: false,
        delay: 200,
        delayOnTouchOnly: true, // on phones a short press drags, a swipe scrolls the board
        animation: 120,
        onEnd: function (event) {
          var stageId = event.to.dataset.stageId;
          if (event.from === event.to) { return; }
          var values = { stage_id: stageId };
          if (event.to.dataset.closing === "lost") {  // losing needs a reason
            var reason = window.prompt(board.dataset.lostReason);
            if (!reason || !reason.trim()) {
              event.from.insertBefore(event.item, event.from.children[event.oldIndex] || null);
              return;
            }
            values.reason = reason.trim();
          }
          htmx.ajax("POST", event.item.dataset.moveUrl, {
            target: "#board", swap: "outerHTML", values: values
          });
        }
      });
    });
  }
  // Set up the board now, and again whenever htmx swaps a new one in (after every move):
  // the "htmx:load" event's target is the new content. (htmx.onLoad's callback was not called
  // for the swapped board, so after one drag the board took no other.)
  document.addEventListener("DOMContentLoaded", function () { initBoard(document); });
  document.addEventListener("htmx:load", function (event) { initBoard(event.target); });
})();
