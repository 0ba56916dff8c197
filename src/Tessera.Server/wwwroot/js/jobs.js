// Live job views: the jobs table and batch progress refresh themselves, a job page follows its
// log as the tool writes it and its state until it ends, and the run dialog shows the chosen tool's inputs.
(() => {
    const FINAL = ['complete', 'failed', 'cancelled'];
    const BADGE = {
        complete: 'text-bg-success', failed: 'text-bg-danger', cancelled: 'text-bg-secondary',
        running: 'text-bg-primary', finalizing: 'text-bg-primary', staging: 'text-bg-info', queued: 'text-bg-light',
    };
    const badge = state => {
        const span = document.createElement('span');
        span.className = `badge ${BADGE[state] || 'text-bg-light'}`;
        span.textContent = state;
        return span;
    };
    const utc = iso => iso ? iso.replace('T', ' ').replace(/\.\d+Z?$|Z$/, '') : '';
    const getJson = async url => {
        const response = await fetch(url, { headers: { Accept: 'application/json' } });
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        return response.json();
    };
    const every = (ms, work) => {
        let stopped = false;
        const tick = async () => {
            if (stopped) return;
            try {
                if ((await work()) === false) stopped = true;
            } catch (_) {
                // A missed refresh is retried at the next tick.
            }
            if (!stopped) setTimeout(tick, ms);
        };
        setTimeout(tick, ms);
    };

    // The jobs table of a project.
    document.querySelectorAll('[data-live-jobs]').forEach(tbody => {
        const project = tbody.dataset.project;
        every(2500, async () => {
            const page = await getJson(tbody.dataset.liveJobs);
            const rows = page.items.map(job => {
                const tr = document.createElement('tr');
                const cells = [
                    () => { const a = document.createElement('a'); a.href = `/projects/${project}/jobs/${job.id}`; a.textContent = job.id.replace(/-/g, '').slice(-8); return a; },
                    () => job.tool, () => job.target,
                    () => { const b = badge(job.state); if (job.reason) b.title = job.reason; return b; },
                    () => `${job.attempt} / ${job.maxAttempts}`, () => utc(job.createdAt), () => job.submittedBy || '',
                ];
                cells.forEach((make, i) => {
                    const td = document.createElement('td');
                    if (i === 0) td.className = 'mono';
                    if (i === 2) td.className = 'mono small';
                    if (i === 5) td.className = 'small';
                    const value = make();
                    if (typeof value === 'string') td.textContent = value; else td.append(value);
                    tr.append(td);
                });
                return tr;
            });
            tbody.replaceChildren(...rows);
        });
    });

    // Batch progress.
    document.querySelectorAll('[data-batch][data-done="false"]').forEach(row => {
        every(2500, async () => {
            const batch = await getJson(`/api/batches/${row.dataset.batch}`);
            const c = batch.counts;
            const done = c.complete + c.failed + c.cancelled;
            const bar = row.querySelector('[data-batch-bar]');
            bar.style.width = `${batch.total ? Math.floor(done * 100 / batch.total) : 100}%`;
            bar.textContent = `${done} / ${batch.total}`;
            bar.parentElement.setAttribute('aria-valuenow', String(batch.total ? Math.floor(done * 100 / batch.total) : 100));
            row.querySelector('[data-batch-summary]').textContent =
                `${c.complete} complete, ${c.failed} failed, ${c.cancelled} cancelled, ${c.running + c.staging + c.finalizing} running, ${c.queued} queued`;
            if (batch.done) row.querySelector('[data-batch-cancel]')?.remove();
            return !batch.done;
        });
    });

    // A job page: the log as it is written, the state until the end.
    const log = document.querySelector('[data-job-log]');
    if (log) {
        (async () => {
            try {
                const response = await fetch(log.dataset.jobLog);
                const reader = response.body.getReader();
                const decoder = new TextDecoder();
                for (;;) {
                    const { value, done } = await reader.read();
                    if (done) break;
                    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
                    log.append(decoder.decode(value, { stream: true }));
                    if (atEnd) log.scrollTop = log.scrollHeight;
                }
            } catch (e) {
                log.append(`\n[the log could not be followed: ${e.message}]`);
            }
        })();
    }
    const state = document.querySelector('[data-job-state]');
    const events = document.querySelector('[data-job-events]');
    if (state && events && !FINAL.includes(state.textContent.trim())) {
        every(1500, async () => {
            const job = await getJson(events.dataset.jobEvents);
            state.className = `badge fs-6 ${BADGE[job.state] || 'text-bg-light'}`;
            state.textContent = job.state;
            const reason = document.querySelector('[data-job-reason]');
            if (reason) reason.textContent = [job.exitCode != null ? `exit code ${job.exitCode}` : '', job.reason || ''].filter(Boolean).join(' · ');
            events.replaceChildren(...(job.history || []).map(e => {
                const li = document.createElement('li');
                const time = document.createElement('time');
                time.className = 'small text-body-secondary d-block';
                time.textContent = `${utc(e.at)} UTC`;
                const detail = document.createElement('span');
                detail.className = 'small';
                detail.textContent = ` ${e.detail || ''}`;
                li.append(time, badge(e.state), detail);
                return li;
            }));
            if (FINAL.includes(job.state)) {
                document.querySelector('[data-job-cancel]')?.remove();
                return false;
            }
            return true;
        });
    }

    // The run dialog: only the chosen tool's inputs are shown (and sent).
    document.querySelectorAll('[data-run-tool-select]').forEach(select => {
        const form = select.closest('form');
        const show = () => {
            const index = select.selectedOptions[0]?.dataset.index;
            form.querySelectorAll('[data-run-tool-inputs]').forEach(set => {
                const on = set.dataset.runToolInputs === index;
                set.classList.toggle('d-none', !on);
                set.disabled = !on;
            });
        };
        select.addEventListener('change', show);
        show();
    });
})();
