// Behaviour shared by every page. Forms with data-confirm ask before they are sent.
document.addEventListener('submit', event => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
        event.preventDefault();
    }
});

// Buttons with data-copy="#input" copy that input's value (a token shown once, for instance).
document.addEventListener('click', async event => {
    const button = event.target.closest('[data-copy]');
    if (!button) {
        return;
    }
    const input = document.querySelector(button.dataset.copy);
    input.select();
    try {
        await navigator.clipboard.writeText(input.value);
    } catch (_) {
        document.execCommand('copy'); // pages served over plain HTTP have no clipboard API
    }
    button.textContent = 'Copied';
});

// A select marked data-autosubmit submits its form when changed (the form also has a button without script).
document.addEventListener('change', event => {
    const select = event.target.closest('select[data-autosubmit]');
    if (select) select.form.requestSubmit();
});

// A scan or session without an image answers its thumbnail with 404: leave the cell empty, not a broken icon.
document.addEventListener('error', event => {
  if (event.target instanceof HTMLImageElement && event.target.classList.contains('thumbnail'))
    event.target.classList.add('thumbnail-none');
}, true);
