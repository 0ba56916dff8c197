// The settings page's custom-field builder: a row per field (name, type, choices, required, description) that
// writes the JSON Schema the API takes into the form's raw box on every change. A schema the builder cannot show
// (a field of objects, arrays, alternatives…) stays in the raw box untouched and the builder steps aside; keywords
// it does not edit (minimum, pattern, a title…) are kept as they are while the field keeps its type.
(() => {
  'use strict';
  const TYPES = [['text', 'Text'], ['number', 'Number'], ['integer', 'Whole number'], ['date', 'Date'], ['boolean', 'Yes/no'], ['choice', 'Choice']];
  const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
  // Root keywords the builder leaves as they are; anything else (allOf, if/then, dependentRequired…) is the raw box's.
  const ROOT_KEPT = ['$schema', '$id', 'title', 'description', 'additionalProperties'];

  // One field as the builder shows it, or null when the builder cannot.
  function fieldOf(name, definition, required) {
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) return null;
    const { type, format, enum: choices, description, ...extra } = definition;
    let kind;
    if (Array.isArray(choices)) {
      if ((type !== undefined && type !== 'string') || format !== undefined || choices.length === 0 || !choices.every(c => typeof c === 'string')) return null;
      kind = 'choice';
    } else if (type === 'string') {
      if (format !== undefined && format !== 'date') return null;
      kind = format === 'date' ? 'date' : 'text';
    } else if (type === 'number' || type === 'integer' || type === 'boolean') {
      if (format !== undefined) return null;
      kind = type;
    } else {
      return null;
    }
    if (description !== undefined && typeof description !== 'string') return null;
    if (['properties', 'items', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', 'const'].some(k => k in extra)) return null;
    return { name, kind, choices: kind === 'choice' ? choices.slice() : [], required, description: description || '', extra, keptKind: kind };
  }

  // The builder's view of a schema text: { fields, root } or { problem } saying why it cannot be shown.
  function parse(text) {
    if (!text.trim()) return { fields: [], root: {} };
    let schema;
    try {
      schema = JSON.parse(text);
    } catch (error) {
      return { problem: `The box does not hold valid JSON (${error.message}).` };
    }
    if (!schema || typeof schema !== 'object' || Array.isArray(schema) || (schema.type !== undefined && schema.type !== 'object'))
      return { problem: 'The schema is not an object schema.' };
    const { type, properties = {}, required = [], ...rest } = schema;
    const unknown = Object.keys(rest).filter(k => !ROOT_KEPT.includes(k));
    if (unknown.length) return { problem: `The schema uses ${unknown.join(', ')}, which the builder does not show.` };
    if (typeof properties !== 'object' || Array.isArray(properties) || !Array.isArray(required)) return { problem: 'The schema\'s properties or required list are not as the builder writes them.' };
    const fields = [];
    for (const [name, definition] of Object.entries(properties)) {
      const field = fieldOf(name, definition, required.includes(name));
      if (!field) return { problem: `The field "${name}" uses JSON Schema the builder does not show.` };
      fields.push(field);
    }
    if (required.some(name => !(name in properties))) return { problem: 'The schema requires fields it does not define.' };
    return { fields, root: rest };
  }

  function schemaOf(fields, root) {
    if (fields.length === 0) return '';
    const properties = {};
    for (const field of fields) {
      const definition = field.kind === 'choice' ? { type: 'string', enum: field.choices }
        : field.kind === 'date' ? { type: 'string', format: 'date' }
          : { type: field.kind === 'text' ? 'string' : field.kind };
      if (field.description) definition.description = field.description;
      // Keywords the builder does not edit stay while the field keeps the type it was loaded with.
      if (field.kind === field.keptKind) Object.assign(definition, field.extra);
      properties[field.name] = definition;
    }
    const schema = { type: 'object', ...root, properties };
    const required = fields.filter(f => f.required).map(f => f.name);
    if (required.length) schema.required = required;
    return JSON.stringify(schema, null, 2);
  }

  // Problems the server would refuse, named by field before the form is sent.
  function problems(fields) {
    const found = [];
    const seen = new Set();
    fields.forEach((field, index) => {
      const which = field.name ? `"${field.name}"` : `Field ${index + 1}`;
      if (!NAME.test(field.name)) found.push({ index, part: 'name', text: `${which}: a name is 1 to 64 letters, digits, _ or -, starting with a letter.` });
      else if (seen.has(field.name)) found.push({ index, part: 'name', text: `${which} is named twice.` });
      seen.add(field.name);
      if (field.kind === 'choice') {
        if (field.choices.length === 0) found.push({ index, part: 'choices', text: `${which}: a choice needs at least one option.` });
        else if (new Set(field.choices).size !== field.choices.length) found.push({ index, part: 'choices', text: `${which}: an option is given twice.` });
      }
    });
    return found;
  }

  let pressed = false;
  document.addEventListener('pointerdown', () => { pressed = true; }, true);
  document.addEventListener('pointerup', () => { pressed = false; }, true);

  const element = (tag, properties = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), properties);
    node.append(...children);
    return node;
  };

  function attach(form) {
    const box = form.querySelector('.schema-builder');
    const raw = form.querySelector('textarea[name=Schema]');
    const details = form.querySelector('.schema-raw');
    const level = box.dataset.level;
    // edited: the raw box was typed in since the builder last read or wrote it.
    let fields = [], root = {}, active = false, counter = 0, edited = false;

    const notice = element('div', { className: 'alert alert-info small py-2 schema-builder-notice', role: 'status', hidden: true });
    const errors = element('div', { className: 'alert alert-danger small py-2 schema-builder-errors', role: 'alert', hidden: true });
    const list = element('div', { className: 'schema-builder-fields' });
    const add = element('button', { type: 'button', className: 'btn btn-sm btn-outline-secondary', textContent: 'Add field' });
    const empty = element('p', { className: 'small text-body-secondary mb-2', textContent: `No ${level} fields yet.` });
    box.append(notice, empty, list, add, errors);

    function write() {
      raw.value = schemaOf(fields, root);
      edited = false;
    }

    function row(field, index) {
      const id = `${level}-field-${++counter}`;
      const name = element('input', { className: 'form-control form-control-sm', id: `${id}-name`, value: field.name, autocomplete: 'off', spellcheck: false });
      name.dataset.part = 'name';
      const type = element('select', { className: 'form-select form-select-sm', id: `${id}-type` },
        ...TYPES.map(([value, label]) => element('option', { value, textContent: label, selected: value === field.kind })));
      const choices = element('input', { className: 'form-control form-control-sm', id: `${id}-choices`, value: field.choices.join(', '), placeholder: 'left, right' });
      choices.dataset.part = 'choices';
      const choicesGroup = element('div', { className: 'col-12' },
        element('label', { className: 'form-label small mb-0', htmlFor: choices.id, textContent: 'Options (comma-separated)' }), choices);
      choicesGroup.hidden = field.kind !== 'choice';
      const required = element('input', { className: 'form-check-input', type: 'checkbox', id: `${id}-required`, checked: field.required });
      const description = element('input', { className: 'form-control form-control-sm', id: `${id}-description`, value: field.description });
      const remove = element('button', { type: 'button', className: 'btn btn-sm btn-outline-danger', textContent: 'Remove' });
      remove.setAttribute('aria-label', `Remove the field ${field.name || index + 1}`);
      const kept = Object.keys(field.extra);
      const extraNote = element('div', { className: 'col-12 form-text mt-0', textContent: `Also kept from the JSON Schema: ${kept.join(', ')}.` });
      extraNote.hidden = kept.length === 0 || field.kind !== field.keptKind;

      name.addEventListener('input', () => { field.name = name.value.trim(); write(); });
      type.addEventListener('change', () => {
        field.kind = type.value;
        choicesGroup.hidden = field.kind !== 'choice';
        extraNote.hidden = kept.length === 0 || field.kind !== field.keptKind;
        write();
      });
      choices.addEventListener('input', () => {
        field.choices = choices.value.split(',').map(c => c.trim()).filter(c => c.length > 0);
        write();
      });
      required.addEventListener('change', () => { field.required = required.checked; write(); });
      description.addEventListener('input', () => { field.description = description.value.trim(); write(); });
      remove.addEventListener('click', () => {
        fields.splice(fields.indexOf(field), 1);
        render();
        write();
      });

      const labelled = (label, control, width) => element('div', { className: width },
        element('label', { className: 'form-label small mb-0', htmlFor: control.id, textContent: label }), control);
      return element('fieldset', { className: 'row g-2 align-items-end border-bottom pb-2 mb-2 schema-field' },
        element('legend', { className: 'visually-hidden', textContent: `Field ${index + 1}` }),
        labelled('Field name', name, 'col-sm-4'),
        labelled('Type', type, 'col-sm-3'),
        element('div', { className: 'col-sm-3' }, element('div', { className: 'form-check mb-1' },
          required, element('label', { className: 'form-check-label small', htmlFor: required.id, textContent: 'Required' }))),
        element('div', { className: 'col-sm-2 text-end' }, remove),
        choicesGroup,
        labelled('Description (shown as help)', description, 'col-12'),
        extraNote);
    }

    function render() {
      list.replaceChildren(...fields.map(row));
      empty.hidden = fields.length > 0;
      errors.hidden = true;
    }

    // Loads the raw box into the builder, or steps aside (the raw box open) when it cannot be shown.
    function load() {
      edited = false;
      const parsed = parse(raw.value);
      active = !parsed.problem;
      box.hidden = false;
      list.hidden = add.hidden = empty.hidden = !active;
      notice.hidden = active;
      notice.textContent = active ? '' : `${parsed.problem} Edit it as JSON below; the builder comes back when the box holds a schema it can show (or is empty).`;
      if (!active) {
        details.open = true;
        errors.hidden = true;
        return;
      }
      ({ fields, root } = parsed);
      render();
    }

    add.addEventListener('click', () => {
      fields.push({ name: '', kind: 'text', choices: [], required: false, description: '', extra: {}, keptKind: 'text' });
      render();
      write();
      list.querySelector('.schema-field:last-child input').focus();
    });
    raw.addEventListener('input', () => { edited = true; });
    // Leaving the raw box reads it again, but not under a pressed pointer: the builder changing height there
    // would move the button being clicked away from under it. It is read once the click is over.
    raw.addEventListener('change', () => { if (!pressed) load(); });
    document.addEventListener('pointerup', () => setTimeout(() => { if (edited && document.activeElement !== raw) load(); }), true);
    form.addEventListener('submit', event => {
      // What was typed in the raw box last is what is meant, even if the box never lost the focus.
      if (edited) load();
      if (!active) return;
      const found = problems(fields);
      list.querySelectorAll('.is-invalid').forEach(input => input.classList.remove('is-invalid'));
      if (found.length === 0) {
        errors.hidden = true;
        write();
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      const rows = list.querySelectorAll('.schema-field');
      for (const problem of found) rows[problem.index].querySelector(`[data-part=${problem.part}]`).classList.add('is-invalid');
      errors.replaceChildren(element('p', { className: 'mb-1', textContent: 'The fields cannot be saved yet:' }),
        element('ul', { className: 'mb-0' }, ...found.map(p => element('li', { textContent: p.text }))));
      errors.hidden = false;
      rows[found[0].index].querySelector(`[data-part=${found[0].part}]`).focus();
    }, true);

    load();
    // The builder is the way in; the raw box is there for advanced use (and opens for what the builder cannot show).
    if (active) details.open = false;
  }

  document.querySelectorAll('form.schema-form').forEach(attach);
})();
