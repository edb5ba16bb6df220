// The web chat. Every string from the server goes into the page with textContent: never as markup.
"use strict";
(function () {
  const log = document.getElementById("log");
  const form = document.getElementById("ask");
  const question = document.getElementById("question");
  const orgSelect = document.getElementById("org");
  let org = "";

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function post(path, body) {
    return fetch(path, {method: "POST", headers: {"Content-Type": "application/json"},
                        credentials: "same-origin", body: JSON.stringify(body)}).then(r => r.json());
  }

  function feedbackButtons(logId) {
    const box = el("div", "feedback");
    for (const [label, helpful] of [["Helpful", true], ["Not helpful", false]]) {
      const b = el("button", "fb", label);
      b.type = "button";
      b.addEventListener("click", () => {
        post("/api/web/feedback", {org, log_id: logId, helpful}).then(r => {
          box.replaceChildren(el("span", "thanks", r.text || r.error || ""));
        });
      });
      box.appendChild(b);
    }
    return box;
  }

  function quote(p) {
    const q = el("blockquote", "quote");
    q.appendChild(el("p", "", p.text));
    q.appendChild(el("cite", "", p.where || (p.document + (p.section ? " › " + p.section : ""))));
    if (p.approved) q.appendChild(el("span", "approved", p.approved));
    return q;
  }

  // "Who to contact: Name (role), e-mail, phone; …": e-mail and phone as mailto:/tel: links (no other
  // scheme is ever made a link), nothing after the name when no way to reach them is known.
  function contactsLine(contacts) {
    const line = el("p", "contacts", "Who to contact: ");
    contacts.forEach((c, i) => {
      if (i) line.appendChild(document.createTextNode("; "));
      line.appendChild(document.createTextNode(c.who));
      for (const way of c.links) {
        line.appendChild(document.createTextNode(", "));
        if (/^(mailto|tel):/.test(way.href)) {
          const a = el("a", "reach", way.text);
          a.href = way.href;
          line.appendChild(a);
        } else {
          line.appendChild(document.createTextNode(way.text));
        }
      }
    });
    return line;
  }

  function showStep(step) {
    const box = el("div", "msg bot step");
    box.appendChild(el("h2", "step-title", step.title));
    box.appendChild(el("p", "step-text", step.text));
    if (step.passage) box.appendChild(quote(step.passage));
    if (step.contact) box.appendChild(contactsLine([step.contact]));
    const buttons = el("div", "step-buttons");
    for (const b of step.buttons) {
      const button = el("button", "step-button", b.label);
      button.type = "button";
      button.dataset.action = b.action;
      button.addEventListener("click", () => {
        buttons.querySelectorAll("button").forEach(x => { x.disabled = true; });
        post("/api/web/induction", {org, action: b.action}).then(showReply);
      });
      buttons.appendChild(button);
    }
    box.appendChild(buttons);
    log.appendChild(box);
    box.scrollIntoView({block: "end"});
    if (step.text.startsWith("Type your question")) question.focus();
  }

  function showReply(r) {
    if (r.kind === "induction" && r.step) {
      if (r.text && !r.text.startsWith(r.step.title)) log.appendChild(el("div", "msg bot notice", r.text.split("\n")[0]));
      showStep(r.step);
      return;
    }
    const msg = el("div", "msg bot " + (r.kind || "error"));
    if (r.notice) msg.appendChild(el("p", "notice", r.notice));
    if (r.welcome) msg.appendChild(el("p", "welcome", r.welcome));
    const a = r.answer;
    if (!a) {
      msg.appendChild(el("p", "text", r.text || r.error || "Something went wrong."));
      if (r.signin_url) msg.appendChild(signinLink(r.signin_url, "Sign in"));
    } else {
      if (a.urgent) msg.appendChild(el("p", "urgent", a.urgent));
      msg.appendChild(el("p", "lead", a.message));
      for (const p of a.passages) msg.appendChild(quote(p));
      if (a.contacts.length) msg.appendChild(contactsLine(a.contacts));
      for (const w of a.warnings) msg.appendChild(el("p", "warning", "⚠ " + w));
      if (a.log_id) msg.appendChild(feedbackButtons(a.log_id));
    }
    log.appendChild(msg);
    msg.scrollIntoView({block: "end"});
    if (r.step) showStep(r.step);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text) return;
    log.appendChild(el("div", "msg me", text));
    question.value = "";
    const thinking = el("div", "msg bot thinking", "Looking that up…");
    log.appendChild(thinking);
    post("/api/web/ask", {org, question: text})
      .then(showReply, () => showReply({kind: "error", text: "Could not reach the server. Try again."}))
      .finally(() => thinking.remove());
  });
  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit(); }
  });

  // Sign-in with the school's identity provider (when the server requires it): who is signed in and a
  // way out, or the providers to sign in with.
  function signinLink(url, label) {
    const a = el("a", "signin-link", label);
    a.href = url;
    return a;
  }

  function showAccount(signin) {
    const box = document.getElementById("account");
    box.replaceChildren();
    if (signin.user) {
      box.appendChild(el("span", "who", "Signed in as " + signin.user.name +
                                        (signin.user.email ? " (" + signin.user.email + ")" : "")));
      const out = el("button", "signout", "Sign out");
      out.type = "button";
      out.addEventListener("click", () => post("/auth/signout", {}).then(() => window.location.reload()));
      box.appendChild(out);
    } else {
      const panel = document.getElementById("signin");
      for (const p of signin.providers) panel.appendChild(signinLink(p.url, "Sign in with " + p.label));
      panel.hidden = false;
    }
    box.hidden = false;
  }

  fetch("/api/web/config", {credentials: "same-origin"}).then(r => r.json()).then(cfg => {
    const signin = cfg.signin || {};
    if (signin.required) showAccount(signin);
    if (signin.required && !signin.user) {
      form.hidden = true;
      return;
    }
    if (!cfg.orgs.length) {
      document.getElementById("unavailable").hidden = false;
      form.hidden = true;
      return;
    }
    org = cfg.orgs[0].slug;
    if (cfg.picker) {
      for (const o of cfg.orgs) orgSelect.appendChild(new Option(o.name, o.slug));
      orgSelect.addEventListener("change", () => { org = orgSelect.value; });
      document.getElementById("org-label").hidden = false;
    } else {
      document.getElementById("org-name").textContent = cfg.orgs[0].name;
    }
    question.focus();
  });
})();
