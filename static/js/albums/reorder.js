// Reordering a list by dragging a row's handle, with pointer events: a mouse, a pen and a
// finger alike. (HTML5 drag and drop, used before, never starts from a touch, nor from a
// <button> in Firefox, and it gives no control over scrolling while dragging.) The row follows
// the pointer, the other rows make room, and letting go reports the new order; Escape, a
// cancelled pointer or a press that hardly moved put everything back as it was.

const THRESHOLD_PX = 4; // a press that moves less than this is a click, not a drag
const EDGE_PX = 40; // this close to the top or bottom of the visible area, the page scrolls
const MAX_SCROLL_PX = 16; // per animation frame

// list: the <ol>; rowSelector / handleSelector find its rows and their handles.
// canStart(): whether a drag may begin now (not while the last change is being saved).
// visibleBottom(): the y where the visible page ends (above a fixed player bar, say).
// onDrop(row, rows): the row was let go somewhere new; rows are in their new order.
export function dragToReorder(list, { rowSelector, handleSelector, canStart, visibleBottom, onDrop }) {
  let drag = null;

  const rows = () => [...list.querySelectorAll(`:scope > ${rowSelector}`)];

  function place() {
    const { row } = drag;
    if (!row.isConnected) return cancel(); // the list was redrawn under the pointer
    row.style.transform = "";
    const before = rows().find((other) => {
      if (other === row) return false;
      const box = other.getBoundingClientRect();
      return drag.y < box.top + box.height / 2;
    });
    const next = before || null;
    if (row.nextElementSibling !== next && !(next === null && row === list.lastElementChild)) {
      list.insertBefore(row, next);
    }
    // The row stays under the pointer where it was grabbed.
    const top = row.getBoundingClientRect().top;
    row.style.transform = `translateY(${drag.y - drag.grab - top}px)`;
  }

  function scrollNearEdges() {
    if (!drag) return;
    const bottom = Math.min(window.innerHeight, visibleBottom());
    let by = 0;
    if (drag.y < EDGE_PX) by = -Math.min(MAX_SCROLL_PX, EDGE_PX - drag.y);
    else if (drag.y > bottom - EDGE_PX) by = Math.min(MAX_SCROLL_PX, drag.y - (bottom - EDGE_PX));
    if (by) {
      const before = window.scrollY;
      window.scrollBy(0, by);
      if (window.scrollY !== before) place();
    }
    if (drag) drag.frame = window.requestAnimationFrame(scrollNearEdges);
  }

  function end() {
    const { row, pointerId, frame } = drag;
    window.cancelAnimationFrame(frame);
    row.classList.remove("is-dragging");
    row.style.transform = "";
    list.classList.remove("is-reordering");
    if (list.hasPointerCapture(pointerId)) list.releasePointerCapture(pointerId);
    drag = null;
  }

  function cancel() {
    if (!drag) return;
    const { order, moved } = drag;
    end();
    // Put the rows back, unless the list was redrawn meanwhile (then it is right as it is).
    if (moved && order.every((row) => row.parentNode === list)) list.append(...order);
  }

  const onPointerDown = (event) => {
    if (drag || event.button !== 0 || !event.isPrimary) return;
    const handle = event.target.closest(handleSelector);
    if (!handle || !list.contains(handle) || !canStart()) return;
    const row = handle.closest(rowSelector);
    event.preventDefault(); // no text selection, no native drag, no page scroll from here
    handle.focus({ preventScroll: true });
    // The list, not the handle, holds the pointer: the row (and its handle) moves in the DOM
    // while dragged, and an element taken out of the document loses its capture.
    list.setPointerCapture(event.pointerId);
    drag = {
      row,
      pointerId: event.pointerId,
      startY: event.clientY,
      y: event.clientY,
      grab: event.clientY - row.getBoundingClientRect().top,
      order: rows(),
      moved: false,
      frame: 0,
    };
  };

  const onPointerMove = (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag.y = event.clientY;
    if (!drag.moved) {
      if (Math.abs(drag.y - drag.startY) < THRESHOLD_PX) return;
      drag.moved = true;
      drag.row.classList.add("is-dragging");
      list.classList.add("is-reordering");
      drag.frame = window.requestAnimationFrame(scrollNearEdges);
    }
    place();
  };

  const onPointerUp = (event) => {
    if (!drag || event.pointerId !== drag.pointerId) return;
    drag.y = event.clientY;
    const { row, order, moved } = drag;
    if (moved) place();
    if (!drag) return; // place() found the list redrawn and cancelled
    end();
    const now = rows();
    if (!moved || now.every((other, index) => other === order[index])) return;
    onDrop(row, now);
  };

  const onPointerCancel = (event) => {
    if (drag && event.pointerId === drag.pointerId) cancel();
  };

  const onKey = (event) => {
    if (drag && event.key === "Escape") {
      event.preventDefault();
      cancel();
    }
  };

  const listeners = [
    [list, "pointerdown", onPointerDown],
    [list, "pointermove", onPointerMove],
    [list, "pointerup", onPointerUp],
    [list, "pointercancel", onPointerCancel],
    [list, "lostpointercapture", onPointerCancel],
    [document, "keydown", onKey],
  ];
  listeners.forEach(([target, type, handler]) => target.addEventListener(type, handler));

  return () => {
    cancel();
    listeners.forEach(([target, type, handler]) => target.removeEventListener(type, handler));
  };
}
