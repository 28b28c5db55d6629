/* A conversation page: new messages appear without reloading. Every few seconds the page asks
   the API for messages after the last one it shows, sending the last ETag; the server answers
   304 while nothing changed (no request is held open). Sending posts the form in the background. */
(function () {
  "use strict";
  const chat = document.getElementById("chat");
  if (!chat) return;
  const esc = window.gridgov.escapeHtml;
  const csrf = document.querySelector("meta[name=csrf-token]").content;
  const every = Math.max(1, Number(chat.dataset.pollSeconds) || 3) * 1000;
  let after = Number(chat.dataset.after) || 0;
  let etag = null;
  let busy = false;

  function render(m) {
    const li = document.createElement("li");
    li.className = "msg" + (m.mine ? " mine" : "");
    li.dataset.message = m.id;
    let html = `<div class="msg-head"><strong>${esc(m.sender)}</strong> <span class="muted small">${esc(m.time)}</span></div>`;
    if (m.body) html += `<div class="msg-body">${esc(m.body).replace(/\n/g, "<br>")}</div>`;
    for (const f of m.files) {
      html += f.is_image
        ? `<div class="msg-file"><a href="${esc(f.url)}"><img src="${esc(f.thumbnail)}" alt="${esc(f.name)}"></a></div>`
        : `<div class="msg-file"><a href="${esc(f.url)}" target="_blank" rel="noopener">${esc(f.name)}</a></div>`;
    }
    if (m.share) {
      html += `<div class="msg-share">${esc(m.share.kind_label)}: ` +
        (m.share.available ? `<a href="${esc(m.share.url)}">${esc(m.share.label)}</a>` : `<span class="muted">${esc(m.share.label)}</span>`) + "</div>";
    }
    li.innerHTML = html;
    return li;
  }

  function setBadge(n) {
    document.querySelectorAll("[data-unread-count]").forEach((el) => (el.textContent = String(n)));
    const link = document.getElementById("office-unread");
    if (link) link.classList.toggle("has-unread", n > 0);
  }

  async function markRead(upTo) {
    const r = await fetch(chat.dataset.readUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ up_to: upTo }),
    });
    if (r.ok) setBadge((await r.json()).unread);
  }

  async function poll() {
    if (busy) return;
    busy = true;
    try {
      const headers = etag ? { "If-None-Match": etag } : {};
      const r = await fetch(`${chat.dataset.pollUrl}?after=${after}`, { credentials: "same-origin", headers });
      if (r.status === 200) {
        etag = r.headers.get("ETag");
        const data = await r.json();
        for (const m of data.messages) {
          if (!chat.querySelector(`[data-message="${m.id}"]`)) chat.appendChild(render(m));
        }
        if (data.last_id > after) {
          after = data.last_id;
          chat.lastElementChild && chat.lastElementChild.scrollIntoView({ block: "end" });
          if (document.visibilityState === "visible") await markRead(after);
        }
      }
    } catch (e) {
      /* offline for a moment: the next round tries again */
    } finally {
      busy = false;
    }
  }

  const form = document.getElementById("chat-form");
  const error = document.getElementById("chat-error");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = new FormData(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const r = await fetch(form.action, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      });
      if (r.ok) {
        form.reset();
        error.textContent = "";
      } else if (r.status === 400) {
        error.textContent = (await r.json()).message; // what was typed stays in the form
      } else {
        form.submit();
      }
    } catch (e) {
      form.submit();
    } finally {
      button.disabled = false;
    }
    await poll();
  });

  chat.lastElementChild && chat.lastElementChild.scrollIntoView({ block: "end" });
  window.setInterval(poll, every);
})();
