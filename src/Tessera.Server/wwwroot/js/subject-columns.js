// The subjects table's optional columns (from the DICOM index): the chooser's choice is kept in this browser per
// user, and applied as classes on the area around the table, so a table htmx swaps in (search, sort, pages)
// shows the same columns without being told.
(() => {
  'use strict';
  const area = document.getElementById('subjects-area');
  const boxes = [...document.querySelectorAll('input[data-column]')];
  if (!area || boxes.length === 0) return;
  const key = `tessera.subject-columns.${area.dataset.user || ''}`;
  let chosen = [];
  try {
    chosen = JSON.parse(localStorage.getItem(key) || '[]');
  } catch (_) {
    chosen = [];
  }
  const apply = () => {
    for (const box of boxes) area.classList.toggle(`show-${box.dataset.column}`, box.checked);
  };
  for (const box of boxes) {
    box.checked = chosen.includes(box.dataset.column);
    box.addEventListener('change', () => {
      apply();
      try {
        localStorage.setItem(key, JSON.stringify(boxes.filter(b => b.checked).map(b => b.dataset.column)));
      } catch (_) {
        // Storage refused (private window, quota): the choice lasts for this page only.
      }
    });
  }
  apply();
})();
