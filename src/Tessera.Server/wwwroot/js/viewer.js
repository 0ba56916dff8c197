// The scan page's image viewer: OpenSeadragon over Tessera's IIIF service. Slides and microscopy zoom deep, with
// a scale bar from the pixel size and a navigator; radiology stacks (a DICOM series' frames, a volume's slices)
// scroll with the mouse wheel, the keys and a slider, play as a cine loop, and are windowed by presets or by
// dragging. A volume (NIfTI) is cut across the chosen axis, with a time slider for 4-D series, and shown with its
// voxels' aspect. Tiles are addressed as IIIF regions at power-of-two scales, so a request that matches a stored
// tile is answered from storage untouched.
(() => {
  'use strict';
  const root = document.getElementById('viewer');
  if (!root || typeof OpenSeadragon === 'undefined') return;

  const images = JSON.parse(root.dataset.images || '[]');
  const frames = images.flatMap(image =>
    Array.from({ length: Math.max(1, image.frames) }, (_, z) => ({ id: image.id, z, single: image.frames <= 1, label: image.frames > 1 ? `${image.label} · frame ${z + 1}` : image.label })));
  if (frames.length === 0) return;

  const $ = selector => root.querySelector(selector);
  // Bootstrap's d-flex outranks the hidden attribute: visibility goes through d-none.
  const reveal = (selector, visible) => $(selector).classList.toggle('d-none', !visible);
  const state = {
    index: 0, window: null, invert: false, tool: 'pan', z: 0, t: 0, axis: 'z', channels: null, contrast: null, info: null, tilesLoaded: 0,
    // The image whose slices the slice slider runs over (a volume: one windowed image of several planes), else null.
    volume: null, playing: false,
  };
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
    root.dataset.state = JSON.stringify({
      index: state.index, window: state.window, invert: state.invert, z: state.z, t: state.t, axis: state.axis,
      volume: state.volume ? { sizeZ: state.volume.sizeZ, sizeT: state.volume.sizeT } : null,
      playing: state.playing, channels: state.channels, contrast: state.contrast,
    });
    root.dataset.tilesLoaded = String(state.tilesLoaded);
  };

  // A volume cut across y or x is another image to the service: its info.json and tiles carry axis=.
  const axisQuery = axis => axis && axis !== 'z' ? `axis=${axis}` : '';

  async function infoOf(id, axis) {
    const key = `${id}|${axis || 'z'}`;
    if (!infos.has(key)) {
      const response = await fetch(`/iiif/3/${id}/info.json${axis && axis !== 'z' ? `?${axisQuery(axis)}` : ''}`, { credentials: 'same-origin', cache: 'no-cache' });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        const error = new Error(problem.detail || `The image cannot be shown (${response.status}).`);
        error.pyramid = problem.pyramid;
        throw error;
      }
      infos.set(key, await response.json());
    }
    return infos.get(key);
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
      infos.delete(`${id}|z`);
      if (frames[state.index].id === id) await show();
    }, 2000);
  }

  function query(frame, info) {
    const parts = [];
    if (frame.single && axisQuery(state.axis)) parts.push(axisQuery(state.axis));
    const z = frame.z || state.z;
    if (z) parts.push(`z=${z}`);
    if (state.t) parts.push(`t=${state.t}`);
    if (state.window && info.tessera && info.tessera.windowed) parts.push(`window=${state.window.center},${state.window.width}`);
    if (state.invert) parts.push('invert=true');
    if (state.channels && info.tessera && info.tessera.channels) parts.push(`channels=${state.channels.join(',')}`);
    if (state.contrast && info.tessera && info.tessera.channels) parts.push(`contrast=${state.contrast.map(([low, high]) => `${low}:${high}`).join(',')}`);
    return parts.length ? `?${parts.join('&')}` : '';
  }

  // How much wider or taller than its pixels a picture is shown: a volume's voxels need not be square (pixdim).
  function aspect(info) {
    const size = info.tessera && info.tessera.windowed && info.tessera.pixelSize;
    if (!size || !(size.x > 0) || !(size.y > 0) || Math.abs(size.x / size.y - 1) < 0.01) return { x: 1, y: 1 };
    return { x: Math.max(1, size.x / size.y), y: Math.max(1, size.y / size.x) };
  }

  // A custom tile source: OpenSeadragon level L shows the image at 2^(L - max); each tile is an IIIF region.
  function tileSource(frame, info) {
    const tile = (info.tiles && info.tiles[0] && info.tiles[0].width) || 256;
    const maxLevel = Math.ceil(Math.log2(Math.max(info.width, info.height)));
    const fitLevels = Math.ceil(Math.log2(Math.max(info.width, info.height) / tile));
    const suffix = query(frame, info);
    const stretch = aspect(info);
    const width = Math.round(info.width * stretch.x), height = Math.round(info.height * stretch.y);
    if ((stretch.x !== 1 || stretch.y !== 1) && width * height <= 4096 * 4096) {
      // Anisotropic voxels: the whole slice stretched to its physical shape in one request (IIIF's ^w,h size).
      const levels = Math.ceil(Math.log2(Math.max(width, height)));
      return {
        width, height, tileSize: Math.max(width, height), tileOverlap: 0, minLevel: levels, maxLevel: levels,
        getTileUrl: () => `/iiif/3/${frame.id}/full/^${width},${height}/0/default.jpg${suffix}`,
      };
    }
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
      info = await infoOf(frame.id, frame.single ? state.axis : 'z');
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
    configureVolume(frame, info);
    viewer.open(tileSource(frame, info));
    if (first) configure(info);
    $('.viewer-label').textContent = `${frame.label} · ${info.width} × ${info.height} · ${info.tessera ? info.tessera.format : ''}`;
    $('.viewer-frame').value = String(state.index);
    $('.viewer-frame-text').textContent = `${state.index + 1} / ${frames.length}`;
    if (state.volume) {
      $('.viewer-slice').value = String(state.z);
      $('.viewer-slice-text').textContent = `${state.z + 1} / ${state.volume.sizeZ}`;
      $('.viewer-time').value = String(state.t);
      $('.viewer-time-text').textContent = `${state.t + 1} / ${state.volume.sizeT}`;
    }
    const w = state.window || (info.tessera && info.tessera.window);
    $('.viewer-window-text').textContent = info.tessera && info.tessera.windowed && w ? `C ${number(w.center)} · W ${number(w.width)}` : '';
    reveal('.viewer-cine', stackLength() > 1);
    publish();
  }

  // Window values as people read them: whole numbers, or three significant digits for small ranges (float volumes).
  const number = value => Math.abs(value) >= 100 || Number.isInteger(value) ? String(Math.round(value)) : String(Number(value.toPrecision(3)));

  // A windowed image of several planes shown by itself (not one frame of a series) is a volume: the slice slider
  // runs over its planes, and a NIfTI volume can be cut across another axis. Its slices start in the middle.
  function configureVolume(frame, info) {
    const extension = info.tessera || {};
    const volume = frame.single && extension.windowed && (extension.sizeZ > 1 || extension.sizeT > 1)
      ? { id: frame.id, axis: state.axis, sizeZ: extension.sizeZ || 1, sizeT: extension.sizeT || 1, nifti: String(extension.format || '').startsWith('NIfTI') }
      : null;
    const changed = !volume || !state.volume || state.volume.id !== volume.id || state.volume.axis !== volume.axis;
    if (volume && changed) {
      state.z = Math.floor((volume.sizeZ - 1) / 2);
      state.t = Math.min(state.t, volume.sizeT - 1);
    }
    if (!volume && state.volume) state.z = 0;
    state.volume = volume;
    reveal('.viewer-volume', !!volume);
    if (!volume) return;
    $('.viewer-slice').max = String(volume.sizeZ - 1);
    reveal('.viewer-slice-group', volume.sizeZ > 1);
    $('.viewer-time').max = String(volume.sizeT - 1);
    reveal('.viewer-time-group', volume.sizeT > 1);
    reveal('.viewer-axis-group', volume.nifti);
    $('.viewer-axis').value = state.axis;
  }

  // Controls that depend on what the first image is.
  function configure(info) {
    const extension = info.tessera || {};
    const radiology = !!extension.windowed;
    reveal('.viewer-stack', frames.length > 1);
    $('.viewer-frame').max = String(frames.length - 1);
    reveal('.viewer-window', radiology);
    reveal('.viewer-tools', radiology);
    // Planes of a windowed image are its slices (the volume's own sliders, configureVolume).
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
    const micronsPerScreenPixel = info.tessera.pixelSize.x / aspect(info).x / zoom;
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

  function slice(z) {
    if (!state.volume) return;
    const next = Math.max(0, Math.min(state.volume.sizeZ - 1, z));
    if (next === state.z) return;
    state.z = next;
    show();
  }

  // The stack the wheel, the keys and the cine loop move through: a volume's slices, else the frames.
  const stackLength = () => state.volume ? state.volume.sizeZ : frames.length;
  const stackPosition = () => state.volume ? state.z : state.index;
  function step(delta, wrap) {
    const length = stackLength();
    let next = stackPosition() + delta;
    if (wrap) next = ((next % length) + length) % length;
    if (state.volume) slice(next); else go(next);
  }

  viewer.addHandler('tile-loaded', () => { state.tilesLoaded++; root.dataset.tilesLoaded = String(state.tilesLoaded); });
  viewer.addHandler('canvas-scroll', event => {
    if (!root.classList.contains('viewer-radiology') || stackLength() < 2 || event.originalEvent.ctrlKey) return;
    event.preventDefaultAction = true;
    step(event.scroll > 0 ? -1 : 1, false);
  });

  // Window/level by dragging: right is wider, down is a higher centre, applied a few times a second. A pixel of
  // drag is a 200th of the default width (2 units for a CT's 400), so float volumes window as finely as CTs.
  let pending = null;
  viewer.addHandler('canvas-drag', event => {
    if (state.tool !== 'window' || !state.info) return;
    event.preventDefaultAction = true;
    const initial = state.info.tessera && state.info.tessera.window;
    const base = state.window || initial || { center: 0, width: 400 };
    const unit = (initial ? initial.width : 400) / 200;
    state.window = { center: base.center + event.delta.y * unit, width: Math.max(unit / 2, base.width + event.delta.x * 2 * unit) };
    if (!pending) pending = setTimeout(() => { pending = null; show(); }, 150);
  });

  // Cine: the stack played in a loop at the chosen rate. A frame waits for its tiles (up to a second), so a slow
  // connection plays slower rather than showing half-drawn frames; leaving or hiding the page stops it.
  let cine = null;
  function play(on) {
    state.playing = on;
    clearTimeout(cine);
    const button = $('[data-cine]');
    button.textContent = on ? 'Pause' : 'Play';
    button.setAttribute('aria-pressed', String(on));
    button.classList.toggle('active', on);
    publish();
    if (!on) return;
    let waited = 0;
    const tick = () => {
      if (!state.playing) return;
      const interval = 1000 / Number($('.viewer-fps').value || 10);
      const item = viewer.world.getItemAt(0);
      if (item && !item.getFullyLoaded() && waited < 1000) {
        waited += 50;
        cine = setTimeout(tick, 50);
        return;
      }
      waited = 0;
      step(1, true);
      cine = setTimeout(tick, interval);
    };
    cine = setTimeout(tick, 1000 / Number($('.viewer-fps').value || 10));
  }
  $('[data-cine]').addEventListener('click', () => play(!state.playing));
  window.addEventListener('pagehide', () => play(false));
  document.addEventListener('visibilitychange', () => { if (document.hidden && state.playing) play(false); });
  // People who ask for less motion get a slow loop (and it never starts by itself).
  if (window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches) $('.viewer-fps').value = '2';

  $('.viewer-frame').addEventListener('input', event => go(Number(event.target.value)));
  $('.viewer-slice').addEventListener('input', event => slice(Number(event.target.value)));
  $('.viewer-time').addEventListener('input', event => {
    state.t = Number(event.target.value);
    show();
  });
  $('.viewer-axis').addEventListener('change', event => {
    state.axis = event.target.value;
    show();
  });
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
  // In a radiology stack Up and Down move through it rather than pan the picture.
  viewer.addHandler('canvas-key', event => {
    if (root.classList.contains('viewer-radiology') && stackLength() > 1 && ['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End'].includes(event.originalEvent.key))
      event.preventDefaultAction = true;
  });

  // Up and Page Up go back a slice or frame, Down and Page Down forward; Home and End to the ends. Keys typed in
  // the toolbar's own controls (the sliders, the rate) are theirs.
  root.addEventListener('keydown', event => {
    if (event.target.closest('input, select, textarea')) return;
    const moves = { ArrowUp: -1, PageUp: -1, ArrowDown: 1, PageDown: 1, Home: -stackLength(), End: stackLength() };
    if (!(event.key in moves) || stackLength() < 2) return;
    event.preventDefault();
    step(moves[event.key], false);
  });

  show();
})();
