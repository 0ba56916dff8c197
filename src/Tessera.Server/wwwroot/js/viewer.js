// The scan page's image viewer: OpenSeadragon over Tessera's IIIF service. Slides and microscopy zoom deep, with
// a scale bar from the pixel size and a navigator; radiology stacks scroll frame by frame with the mouse wheel and
// are windowed by presets or by dragging. Tiles are addressed as IIIF regions at power-of-two scales, so a
// request that matches a stored tile is answered from storage untouched.
(() => {
  'use strict';
  const root = document.getElementById('viewer');
  if (!root || typeof OpenSeadragon === 'undefined') return;

  const images = JSON.parse(root.dataset.images || '[]');
  const frames = images.flatMap(image =>
    Array.from({ length: Math.max(1, image.frames) }, (_, z) => ({ id: image.id, z, label: image.frames > 1 ? `${image.label} · frame ${z + 1}` : image.label })));
  if (frames.length === 0) return;

  const $ = selector => root.querySelector(selector);
  // Bootstrap's d-flex outranks the hidden attribute: visibility goes through d-none.
  const reveal = (selector, visible) => $(selector).classList.toggle('d-none', !visible);
  const state = { index: 0, window: null, invert: false, tool: 'pan', z: 0, t: 0, channels: null, contrast: null, info: null, tilesLoaded: 0 };
  const infos = new Map();

  const viewer = OpenSeadragon({
    element: $('.viewer-canvas'),
    prefixUrl: root.dataset.prefix,
    drawer: 'canvas',
    showNavigator: true,
    navigatorPosition: 'TOP_RIGHT',
    showRotationControl: true,
    showFullPageControl: false,
    preserveViewport: true,
    visibilityRatio: 0.5,
    maxZoomPixelRatio: 4,
    animationTime: 0.4,
    gestureSettingsMouse: { scrollToZoom: true, clickToZoom: false },
  });

  const publish = () => {
    root.dataset.state = JSON.stringify({ index: state.index, window: state.window, invert: state.invert, z: state.z, t: state.t, channels: state.channels, contrast: state.contrast });
    root.dataset.tilesLoaded = String(state.tilesLoaded);
  };

  async function infoOf(id) {
    if (!infos.has(id)) {
      const response = await fetch(`/iiif/3/${id}/info.json`, { credentials: 'same-origin', cache: 'no-cache' });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        const error = new Error(problem.detail || `The image cannot be shown (${response.status}).`);
        error.pyramid = problem.pyramid;
        throw error;
      }
      infos.set(id, await response.json());
    }
    return infos.get(id);
  }

  // A large flat picture gets a pyramid built after import: its progress is shown, and the image is opened again
  // from the pyramid once it is ready (meanwhile it is shown from the stored file, or not at all when too large).
  const waiting = pyramid => pyramid && (pyramid.state === 'pending' || pyramid.state === 'building');
  let pyramidPoll = null;
  function watchPyramid(id, pyramid) {
    const line = $('.viewer-pyramid');
    clearTimeout(pyramidPoll);
    if (!waiting(pyramid)) {
      line.hidden = true;
      return;
    }
    line.textContent = `Building the image's pyramid: ${pyramid.state === 'pending' ? 'queued' : pyramid.progress > 0 ? `${pyramid.progress} %` : 'starting'}. ` +
      (state.info ? 'Shown from the stored file meanwhile.' : 'The image is shown when it is ready.');
    line.hidden = false;
    pyramidPoll = setTimeout(async () => {
      infos.delete(id);
      if (frames[state.index].id === id) await show();
    }, 2000);
  }

  function query(frame, info) {
    const parts = [];
    const z = frame.z || state.z;
    if (z) parts.push(`z=${z}`);
    if (state.t) parts.push(`t=${state.t}`);
    if (state.window && info.tessera && info.tessera.windowed) parts.push(`window=${state.window.center},${state.window.width}`);
    if (state.invert) parts.push('invert=true');
    if (state.channels && info.tessera && info.tessera.channels) parts.push(`channels=${state.channels.join(',')}`);
    if (state.contrast && info.tessera && info.tessera.channels) parts.push(`contrast=${state.contrast.map(([low, high]) => `${low}:${high}`).join(',')}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  // A custom tile source: OpenSeadragon level L shows the image at 2^(L - max); each tile is an IIIF region.
  function tileSource(frame, info) {
    const tile = (info.tiles && info.tiles[0] && info.tiles[0].width) || 256;
    const maxLevel = Math.ceil(Math.log2(Math.max(info.width, info.height)));
    const fitLevels = Math.ceil(Math.log2(Math.max(info.width, info.height) / tile));
    const suffix = query(frame, info);
    return {
      width: info.width,
      height: info.height,
      tileSize: tile,
      tileOverlap: 0,
      minLevel: Math.max(0, maxLevel - Math.max(0, fitLevels)),
      maxLevel,
      getTileUrl(level, x, y) {
        const factor = Math.pow(2, maxLevel - level);
        const size = tile * factor;
        const x0 = x * size, y0 = y * size;
        const w = Math.min(size, info.width - x0), h = Math.min(size, info.height - y0);
        const region = x0 === 0 && y0 === 0 && w === info.width && h === info.height ? 'full' : `${x0},${y0},${w},${h}`;
        return `/iiif/3/${frame.id}/${region}/${Math.max(1, Math.ceil(w / factor))},/0/default.jpg${suffix}`;
      },
    };
  }

  async function show() {
    const frame = frames[state.index];
    let info;
    try {
      info = await infoOf(frame.id);
    } catch (error) {
      const box = $('.viewer-error');
      box.textContent = error.message;
      box.hidden = waiting(error.pyramid);
      watchPyramid(frame.id, error.pyramid);
      return;
    }
    $('.viewer-error').hidden = true;
    const first = state.info === null;
    const pyramid = info.tessera && info.tessera.pyramid;
    // While the pyramid is built the view is reopened only when the image's levels change.
    const same = state.info && state.info.tessera && pyramid && waiting(pyramid) && frames[state.index].id === frame.id
      && JSON.stringify(state.info.tiles) === JSON.stringify(info.tiles) && state.info.tessera.levels === info.tessera.levels;
    state.info = info;
    watchPyramid(frame.id, pyramid);
    if (same) return;
    viewer.open(tileSource(frame, info));
    if (first) configure(info);
    $('.viewer-label').textContent = `${frame.label} · ${info.width} × ${info.height} · ${info.tessera ? info.tessera.format : ''}`;
    $('.viewer-frame').value = String(state.index);
    $('.viewer-frame-text').textContent = `${state.index + 1} / ${frames.length}`;
    const w = state.window || (info.tessera && info.tessera.window);
    $('.viewer-window-text').textContent = info.tessera && info.tessera.windowed && w ? `C ${Math.round(w.center)} · W ${Math.round(w.width)}` : '';
    publish();
  }

  // Controls that depend on what the first image is.
  function configure(info) {
    const extension = info.tessera || {};
    const radiology = !!extension.windowed;
    reveal('.viewer-stack', frames.length > 1);
    $('.viewer-frame').max = String(frames.length - 1);
    reveal('.viewer-window', radiology);
    reveal('.viewer-tools', radiology);
    const planes = !radiology && (extension.sizeZ > 1 || extension.sizeT > 1);
    reveal('.viewer-planes', planes);
    for (const axis of ['z', 't']) {
      const many = (axis === 'z' ? extension.sizeZ : extension.sizeT) > 1;
      reveal(`.viewer-${axis}`, many);
      reveal(`label[for=viewer-${axis}]`, many);
    }
    $('.viewer-z').max = String(Math.max(0, (extension.sizeZ || 1) - 1));
    $('.viewer-t').max = String(Math.max(0, (extension.sizeT || 1) - 1));
    root.classList.toggle('viewer-radiology', radiology);
    if (radiology) viewer.gestureSettingsMouse.scrollToZoom = false;
    // Fluorescence: a toggle per channel, in its colour.
    const channels = extension.channels || [];
    reveal('.viewer-channels', channels.length > 1);
    const box = $('.viewer-channels');
    box.replaceChildren(...channels.map((channel, index) => {
      const label = document.createElement('label');
      label.className = 'form-check-label small d-flex align-items-center gap-1';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.className = 'form-check-input';
      input.checked = true;
      input.dataset.channel = String(index);
      const swatch = document.createElement('span');
      swatch.className = 'viewer-swatch';
      swatch.style.background = channel.color;
      label.append(input, swatch, document.createTextNode(channel.name));
      input.addEventListener('change', () => {
        const on = [...box.querySelectorAll('input[data-channel]')].filter(i => i.checked).map(i => Number(i.dataset.channel));
        state.channels = on.length === channels.length ? null : on;
        show();
      });
      // The channel's contrast: its black and white points (display values 0-255), applied when let go.
      const group = document.createElement('span');
      group.className = 'd-inline-flex align-items-center gap-1 me-2';
      const bounds = ['low', 'high'].map(end => {
        const range = document.createElement('input');
        range.type = 'range';
        range.className = 'form-range viewer-contrast';
        range.style.width = '4rem';
        range.min = '0';
        range.max = '255';
        range.value = end === 'low' ? '0' : '255';
        range.dataset.contrast = `${index}-${end}`;
        range.title = `${channel.name}: ${end === 'low' ? 'black' : 'white'} point`;
        range.setAttribute('aria-label', range.title);
        range.addEventListener('change', () => {
          let [low, high] = bounds.map(b => Number(b.value));
          if (low >= high) [low, high] = end === 'low' ? [high - 1, high] : [low, low + 1];
          bounds[0].value = String(low);
          bounds[1].value = String(high);
          const contrast = state.contrast || channels.map(() => [0, 255]);
          contrast[index] = [low, high];
          state.contrast = contrast.every(([l, h]) => l === 0 && h === 255) ? null : contrast;
          show();
        });
        return range;
      });
      group.append(label, ...bounds);
      return group;
    }));
    if (extension.pixelSize) {
      reveal('.viewer-scalebar', true);
      viewer.addHandler('animation', drawScale);
      viewer.addHandler('open', drawScale);
    }
  }

  // A bar of a round length (1, 2 or 5 × 10^n µm) about 120 screen pixels long.
  function drawScale() {
    const info = state.info;
    if (!info || !info.tessera || !info.tessera.pixelSize || !viewer.world.getItemAt(0)) return;
    const zoom = viewer.world.getItemAt(0).viewportToImageZoom(viewer.viewport.getZoom(true));
    const micronsPerScreenPixel = info.tessera.pixelSize.x / zoom;
    const target = 120 * micronsPerScreenPixel;
    const power = Math.pow(10, Math.floor(Math.log10(target)));
    const length = [1, 2, 5, 10].map(m => m * power).reverse().find(v => v <= target) || power;
    $('.viewer-scalebar-bar').style.width = `${Math.round(length / micronsPerScreenPixel)}px`;
    $('.viewer-scalebar span').textContent = length >= 1000 ? `${length / 1000} mm` : `${length} µm`;
  }

  function go(index) {
    const next = Math.max(0, Math.min(frames.length - 1, index));
    if (next === state.index) return;
    state.index = next;
    show();
  }

  viewer.addHandler('tile-loaded', () => { state.tilesLoaded++; root.dataset.tilesLoaded = String(state.tilesLoaded); });
  viewer.addHandler('canvas-scroll', event => {
    if (!root.classList.contains('viewer-radiology') || frames.length < 2 || event.originalEvent.ctrlKey) return;
    event.preventDefaultAction = true;
    go(state.index + (event.scroll > 0 ? -1 : 1));
  });

  // Window/level by dragging: right is wider, down is a higher centre, applied a few times a second.
  let pending = null;
  viewer.addHandler('canvas-drag', event => {
    if (state.tool !== 'window' || !state.info) return;
    event.preventDefaultAction = true;
    const base = state.window || (state.info.tessera && state.info.tessera.window) || { center: 0, width: 400 };
    state.window = { center: base.center + event.delta.y * 2, width: Math.max(1, base.width + event.delta.x * 4) };
    if (!pending) pending = setTimeout(() => { pending = null; show(); }, 150);
  });

  $('.viewer-frame').addEventListener('input', event => go(Number(event.target.value)));
  $('.viewer-z').addEventListener('change', event => { state.z = Number(event.target.value); show(); });
  $('.viewer-t').addEventListener('change', event => { state.t = Number(event.target.value); show(); });
  root.querySelectorAll('[data-window]').forEach(button => button.addEventListener('click', () => {
    const [center, width] = button.dataset.window.split(',').map(Number);
    state.window = button.dataset.window ? { center, width } : null;
    show();
  }));
  root.querySelectorAll('[data-tool]').forEach(button => button.addEventListener('click', () => {
    state.tool = button.dataset.tool;
    root.querySelectorAll('[data-tool]').forEach(b => { b.classList.toggle('active', b === button); b.setAttribute('aria-pressed', String(b === button)); });
  }));
  $('[data-invert]').addEventListener('click', event => {
    state.invert = !state.invert;
    event.target.setAttribute('aria-pressed', String(state.invert));
    event.target.classList.toggle('active', state.invert);
    show();
  });
  $('[data-fullscreen]').addEventListener('click', () => viewer.setFullScreen(!viewer.isFullPage()));
  root.addEventListener('keydown', event => {
    if (event.key === 'ArrowUp' || event.key === 'PageUp') go(state.index - 1);
    if (event.key === 'ArrowDown' || event.key === 'PageDown') go(state.index + 1);
  });

  show();
})();
