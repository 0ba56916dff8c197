// Tessera upload areas: drop or choose files and folders; each file goes to /api/uploads with
// tus-js-client, in chunks, a few at a time. tus-js-client keeps each upload's URL in
// localStorage under a fingerprint of its target and file, so choosing the same file again after a
// reload continues where the server stopped; dropped connections are retried on their own.
(function () {
    'use strict';

    const PARALLEL = 3;
    const CHUNK_SIZE = 64 * 1024 * 1024;
    const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000];
    const LABEL = /^[A-Za-z0-9._-]{1,64}$/;

    function bytes(n) {
        const units = ['B', 'kB', 'MB', 'GB', 'TB'];
        let i = 0;
        while (n >= 1000 && i < units.length - 1) {
            n /= 1000;
            i++;
        }
        return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
    }

    /** Every file under a dropped entry, with its path relative to what was dropped. */
    async function filesOf(entry) {
        if (entry.isFile) {
            const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
            return [{ file, path: entry.fullPath.replace(/^\/+/, '') }];
        }
        const reader = entry.createReader();
        const found = [];
        for (;;) {
            // readEntries answers in batches; an empty batch means the folder is done.
            const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
            if (batch.length === 0) {
                return found;
            }
            for (const child of batch) {
                found.push(...await filesOf(child));
            }
        }
    }

    /** The message a failed request carries: the problem details' detail, or the error itself. */
    function reasonOf(error) {
        const response = error && error.originalResponse;
        if (response) {
            try {
                const problem = JSON.parse(response.getBody());
                if (problem.detail) {
                    return problem.detail;
                }
            } catch (_) {
                // not JSON: fall through
            }
            return 'The server answered ' + response.getStatus() + '.';
        }
        return navigator.onLine === false ? 'The network is down.' : 'The connection to the server failed.';
    }

    function setBar(bar, percent) {
        bar.setAttribute('aria-valuenow', String(percent));
        bar.firstElementChild.style.width = percent + '%';
        bar.firstElementChild.textContent = percent >= 10 ? percent + ' %' : '';
    }

    function setUp(area) {
        const token = JSON.parse(document.body.getAttribute('hx-headers') || '{}').RequestVerificationToken;
        const field = name => {
            const input = area.querySelector('[data-upload-field="' + name + '"]');
            return input ? input.value.trim() : '';
        };
        const panel = area.querySelector('[data-upload-panel]');
        const rows = panel.querySelector('tbody');
        const total = panel.querySelector('[data-testid="upload-total"]');
        const summary = panel.querySelector('[data-upload-summary]');
        const pauseButton = panel.querySelector('[data-upload-action="pause"]');
        const resumeButton = panel.querySelector('[data-upload-action="resume"]');
        const unfinished = area.querySelector('[data-upload-unfinished]');
        const items = [];
        let paused = false;

        /** Where a file goes: the area's own target, or (importing) labels typed in or taken from its folders. */
        function targetOf(path) {
            const target = {
                project: area.dataset.project,
                subject: area.dataset.subject || '',
                session: area.dataset.session || '',
                scan: field('scan'),
                resource: field('resource') || 'FILES',
                path,
            };
            if (!area.dataset.session) {
                target.subject = field('subject');
                target.session = field('session');
                if (!target.subject) {
                    const parts = path.split('/');
                    if (parts.length < 3) {
                        throw new Error('Type a subject and session, or drop folders laid out as SUBJECT/SESSION/files.');
                    }
                    [target.subject, target.session] = parts;
                    target.path = parts.slice(2).join('/');
                }
            }
            for (const [name, value] of Object.entries(target)) {
                if (value && name !== 'path' && name !== 'project' && !LABEL.test(value)) {
                    throw new Error('The ' + name + ' "' + value + '" is not a valid label (letters, digits, . _ -).');
                }
            }
            if (target.session && !target.subject) {
                throw new Error('A session needs its subject.');
            }
            return target;
        }

        function fingerprintOf(target, file) {
            return ['tessera', target.project, target.subject, target.session, target.scan, target.resource, target.path,
                file.size, file.lastModified].join('|');
        }

        function render() {
            const sent = items.reduce((sum, item) => sum + item.sent, 0);
            const size = items.reduce((sum, item) => sum + item.file.size, 0);
            const done = items.filter(item => item.state === 'done').length;
            const failed = items.filter(item => item.state === 'failed').length;
            const percent = size === 0 ? (done === items.length ? 100 : 0) : Math.floor(100 * sent / size);
            setBar(total, done === items.length ? 100 : Math.min(percent, 99));
            let text = done + ' of ' + items.length + ' files uploaded · ' + bytes(sent) + ' of ' + bytes(size);
            if (done === items.length) {
                text = 'All ' + items.length + ' files uploaded (' + bytes(size) + ').';
            } else if (failed > 0) {
                text += ' · ' + failed + ' failed';
            } else if (paused) {
                text += ' · paused';
            }
            summary.textContent = text;
            pauseButton.classList.toggle('d-none', paused || done + failed === items.length);
            resumeButton.classList.toggle('d-none', !paused && failed === 0);
            if (done === items.length && !area.querySelector('[data-upload-refresh]')) {
                const link = document.createElement('a');
                link.href = location.pathname + location.search;
                link.className = 'btn btn-sm btn-primary';
                link.dataset.uploadRefresh = '';
                link.textContent = 'Show the new files';
                summary.after(link);
            }
        }

        function show(item) {
            const percent = item.file.size === 0 ? (item.state === 'done' ? 100 : 0) : Math.floor(100 * item.sent / item.file.size);
            setBar(item.bar, item.state === 'done' ? 100 : Math.min(percent, 99));
            item.status.textContent = item.message || {
                queued: 'Waiting', uploading: 'Uploading', paused: 'Paused', done: 'Stored', failed: 'Failed',
            }[item.state];
            item.status.className = item.state === 'failed' ? 'text-danger' : item.state === 'done' ? 'text-success' : '';
            item.row.dataset.state = item.state;
        }

        function add(file, path) {
            const row = document.createElement('tr');
            const name = document.createElement('td');
            name.className = 'mono text-break';
            name.textContent = path;
            const size = document.createElement('td');
            size.className = 'text-end text-nowrap';
            size.textContent = bytes(file.size);
            const progress = document.createElement('td');
            progress.innerHTML = '<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0"><div class="progress-bar" style="width:0%"></div></div>';
            const bar = progress.firstElementChild;
            bar.setAttribute('aria-label', 'Progress of ' + path);
            const status = document.createElement('td');
            row.append(name, size, progress, status);
            rows.append(row);
            const item = { file, path, row, bar, status, state: 'queued', sent: 0, message: '' };
            items.push(item);
            try {
                item.target = targetOf(path);
            } catch (error) {
                item.state = 'failed';
                item.message = error.message;
            }
            show(item);
        }

        function start(item) {
            const target = item.target;
            item.state = 'uploading';
            item.message = '';
            show(item);
            const metadata = { project: target.project, resource: target.resource, path: target.path, filename: item.file.name };
            for (const name of ['subject', 'session', 'scan']) {
                if (target[name]) {
                    metadata[name] = target[name];
                }
            }
            if (item.file.type) {
                metadata.filetype = item.file.type;
            }
            const upload = new tus.Upload(item.file, {
                endpoint: '/api/uploads',
                chunkSize: CHUNK_SIZE,
                retryDelays: RETRY_DELAYS,
                headers: { RequestVerificationToken: token },
                metadata,
                fingerprint: () => Promise.resolve(fingerprintOf(target, item.file)),
                removeFingerprintOnSuccess: true,
                onProgress(sent) {
                    item.sent = sent;
                    show(item);
                    render();
                },
                onSuccess() {
                    item.state = 'done';
                    item.sent = item.file.size;
                    item.message = item.resumedAt ? 'Stored (resumed at ' + bytes(item.resumedAt) + ')' : '';
                    show(item);
                    render();
                    pump();
                },
                onError(error) {
                    item.state = 'failed';
                    item.message = reasonOf(error);
                    show(item);
                    render();
                    pump();
                },
            });
            item.upload = upload;
            upload.findPreviousUploads().then(async previous => {
                if (previous.length > 0) {
                    upload.resumeFromPreviousUpload(previous[0]);
                    item.resumedAt = await offsetOf(previous[0].uploadUrl);
                }
                upload.start();
            });
        }

        /** How far the server has an upload (0 when it cannot tell: the upload then starts over). */
        async function offsetOf(url) {
            try {
                const response = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
                return response.ok ? Number(response.headers.get('Upload-Offset')) || 0 : 0;
            } catch (_) {
                return 0;
            }
        }

        function pump() {
            if (paused) {
                return;
            }
            let running = items.filter(item => item.state === 'uploading').length;
            for (const item of items) {
                if (running >= PARALLEL) {
                    break;
                }
                if (item.state === 'queued') {
                    start(item);
                    running++;
                }
            }
            render();
        }

        function accept(entries) {
            if (entries.length === 0) {
                return;
            }
            if (!field('resource') || !LABEL.test(field('resource'))) {
                area.querySelector('[data-upload-field="resource"]').reportValidity();
                return;
            }
            panel.classList.remove('d-none');
            area.querySelector('[data-upload-refresh]')?.remove();
            entries.forEach(entry => add(entry.file, entry.path));
            pump();
        }

        pauseButton.addEventListener('click', () => {
            paused = true;
            for (const item of items.filter(i => i.state === 'uploading')) {
                item.upload.abort();
                item.state = 'paused';
                show(item);
            }
            render();
        });
        resumeButton.addEventListener('click', () => {
            paused = false;
            for (const item of items.filter(i => i.state === 'paused' || (i.state === 'failed' && i.target))) {
                item.state = 'queued';
                item.message = '';
                show(item);
            }
            pump();
        });

        for (const input of area.querySelectorAll('[data-upload-pick]')) {
            input.addEventListener('change', () => {
                accept(Array.from(input.files, file => ({ file, path: file.webkitRelativePath || file.name })));
                input.value = '';
            });
        }
        const zone = area.querySelector('[data-upload-drop]');
        zone.addEventListener('keydown', event => {
            if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                area.querySelector('[data-upload-pick="files"]').click();
            }
        });
        zone.addEventListener('dragover', event => {
            event.preventDefault();
            zone.classList.add('dragging');
        });
        zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
        zone.addEventListener('drop', async event => {
            event.preventDefault();
            zone.classList.remove('dragging');
            // Entries must be taken while the event lasts; reading them may take longer.
            const entries = Array.from(event.dataTransfer.items, item => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
            if (entries.length === 0) {
                accept(Array.from(event.dataTransfer.files, file => ({ file, path: file.name })));
                return;
            }
            const found = [];
            for (const entry of entries) {
                found.push(...await filesOf(entry));
            }
            accept(found);
        });

        // Uploads of this area that a reload or a closed tab left unfinished.
        tus.defaultOptions.urlStorage.findAllUploads().then(stored => {
            const mine = stored.filter(upload => upload.metadata && upload.metadata.project === area.dataset.project
                && (!area.dataset.session || (upload.metadata.subject === area.dataset.subject && upload.metadata.session === area.dataset.session)));
            if (mine.length === 0) {
                return;
            }
            const names = mine.slice(0, 5).map(upload => upload.metadata.path).join(', ') + (mine.length > 5 ? ', …' : '');
            unfinished.textContent = mine.length + (mine.length === 1 ? ' upload was' : ' uploads were') +
                ' interrupted (' + names + '). Drop or choose the same files again to continue where they stopped. ';
            const discard = document.createElement('button');
            discard.type = 'button';
            discard.className = 'btn btn-sm btn-outline-secondary';
            discard.textContent = 'Discard them';
            discard.addEventListener('click', async () => {
                for (const upload of mine) {
                    try {
                        await tus.Upload.terminate(upload.uploadUrl, { headers: { RequestVerificationToken: token } });
                    } catch (_) {
                        // already gone on the server: forgetting it here is all that is left
                    }
                    await tus.defaultOptions.urlStorage.removeUpload(upload.urlStorageKey);
                }
                unfinished.classList.add('d-none');
            });
            unfinished.append(discard);
            unfinished.classList.remove('d-none');
        });
    }

    document.querySelectorAll('[data-upload-area]').forEach(setUp);
})();
