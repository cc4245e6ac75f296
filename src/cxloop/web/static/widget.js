// cxloop survey widget: no dependencies, no cookies, nothing sent until the visitor answers.
//   <script src="https://cx.example/static/widget.js" data-key="pk_..." async></script>
// Optional: data-endpoint (answer URL), data-lang. The survey's first question (text, scale,
// labels) comes from /api/v1/widget/surveys/{survey}; without it the NPS texts below are shown.
// The host page opens the survey with
//   window.cxloop("show", {survey: "s1", customer: "c-42", lang: "th", question: "..."})
// or document.dispatchEvent(new CustomEvent("cxloop:show", {detail: {...}})). Calls made before
// the script loads are queued by the stub: window.cxloop = window.cxloop || function () {
//   (window.cxloop.q = window.cxloop.q || []).push(arguments); };
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var KEY = script.getAttribute("data-key") || "";
  var ENDPOINT = script.getAttribute("data-endpoint") || new URL("/api/v1/widget/answers", script.src).href;
  // the survey's own question, scale and labels in the visitor's language (else the NPS texts)
  var SURVEYS = new URL("/api/v1/widget/surveys/", script.src).href;
  // Generated from the locale catalogs; tests/surveys/channels/test_widget.py keeps them equal.
  var TEXTS = /* texts:begin */ {
  "en": {
    "choose": "Please choose a score.",
    "close": "Close",
    "comment": "Anything you would like to add? (optional)",
    "error": "Sorry, your answer could not be sent. Please try again.",
    "high": "Extremely likely",
    "low": "Not at all likely",
    "question": "How likely are you to recommend us to a friend or colleague?",
    "submit": "Send",
    "thanks": "Thank you for your feedback!"
  },
  "th": {
    "choose": "โปรดเลือกคะแนน",
    "close": "ปิด",
    "comment": "มีอะไรที่อยากบอกเราเพิ่มเติมไหม (ไม่บังคับ)",
    "error": "ขออภัย ไม่สามารถส่งคำตอบของคุณได้ โปรดลองอีกครั้ง",
    "high": "แนะนำอย่างแน่นอน",
    "low": "ไม่น่าจะแนะนำเลย",
    "question": "คุณมีแนวโน้มจะแนะนำเราให้เพื่อนหรือเพื่อนร่วมงานมากน้อยเพียงใด",
    "submit": "ส่ง",
    "thanks": "ขอบคุณสำหรับความคิดเห็นของคุณ"
  },
  "zh-Hans": {
    "choose": "请选择一个分数。",
    "close": "关闭",
    "comment": "还有其他想告诉我们的吗？（选填）",
    "error": "抱歉，您的回答未能提交，请再试一次。",
    "high": "非常可能",
    "low": "完全不可能",
    "question": "您有多大可能向朋友或同事推荐我们？",
    "submit": "提交",
    "thanks": "感谢您的反馈！"
  },
  "zh-Hant": {
    "choose": "請選擇一個分數。",
    "close": "關閉",
    "comment": "還有其他想告訴我們的嗎？（選填）",
    "error": "抱歉，您的回答未能送出，請再試一次。",
    "high": "非常可能",
    "low": "完全不可能",
    "question": "您有多大可能向朋友或同事推薦我們？",
    "submit": "送出",
    "thanks": "感謝您的回饋！"
  }
} /* texts:end */;
  var CSS =
    ":host{all:initial}" +
    "dialog{max-width:34rem;width:calc(100% - 2rem);border:0;border-radius:8px;padding:1.25rem;" +
    "font:16px/1.4 system-ui,'Noto Sans','Noto Sans TC','Noto Sans SC','Noto Sans Thai',sans-serif;" +
    "color:#1f2933;background:#fff;box-shadow:0 10px 40px rgba(0,0,0,.3)}" +
    "dialog::backdrop{background:rgba(0,0,0,.4)}" +
    "fieldset{border:0;margin:0;padding:0}legend{font-weight:700;padding:0 2rem .75rem 0}" +
    ".scale{display:flex;gap:4px}.scale label{flex:1;position:relative}" +
    ".scale input{position:absolute;opacity:0;width:1px;height:1px;margin:0}" +
    ".scale span{display:block;text-align:center;padding:.5rem 0;border:1px solid #9aa5b1;border-radius:4px;cursor:pointer}" +
    ".scale input:checked+span{background:#1f5fbf;border-color:#1f5fbf;color:#fff}" +
    ".scale input:focus-visible+span{outline:3px solid #f0b429;outline-offset:2px}" +
    ".ends{display:flex;justify-content:space-between;font-size:.8rem;color:#52606d;margin:.25rem 0 1rem}" +
    "textarea{display:block;width:100%;box-sizing:border-box;min-height:4.5rem;margin:.25rem 0 .75rem;font:inherit}" +
    ".send{background:#1f5fbf;color:#fff;border:0;border-radius:4px;padding:.6rem 1.4rem;font:inherit;cursor:pointer}" +
    ".close{position:absolute;top:.5rem;right:.5rem;background:none;border:0;font-size:1.5rem;line-height:1;cursor:pointer}" +
    ".msg{min-height:1.4em;margin:.5rem 0}";
  var current = null;

  function language(tag) {
    var t = String(tag || "").toLowerCase().replace("_", "-");
    if (t.indexOf("zh") === 0) return /hant|-tw|-hk|-mo/.test(t) ? "zh-Hant" : "zh-Hans";
    if (t.indexOf("th") === 0) return "th";
    return "en";
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  function hide() {
    if (current && current.dialog.open) current.dialog.close();
  }

  function load(options, lang, done) {
    if (!options.survey || !KEY || !window.fetch) return done(null);
    var url = SURVEYS + encodeURIComponent(String(options.survey)) + "?key=" + encodeURIComponent(KEY) +
      "&lang=" + encodeURIComponent(lang);
    fetch(url, { mode: "cors", credentials: "omit" }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(done, function () { done(null); });
  }

  function show(options) {
    if (!document.body) {
      document.addEventListener("DOMContentLoaded", function () { show(options); }, { once: true });
      return;
    }
    var lang = language(options.lang || script.getAttribute("data-lang") || document.documentElement.lang);
    load(options, lang, function (survey) { render(options, lang, survey); });
  }

  function render(options, lang, survey) {
    hide();
    var t = Object.assign({}, TEXTS[lang], options.texts || {});
    var low = 0, high = 10, comments = true;
    if (survey) {
      low = survey.min; high = survey.max; comments = survey.comment;
      t.question = survey.question || t.question;
      var nps = survey.type === "nps";
      t.low = survey.low || (nps ? t.low : "");
      t.high = survey.high || (nps ? t.high : "");
    }
    var host = el("div", { "data-cxloop": "" });
    var root = host.attachShadow({ mode: "open" });
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet === "function" && CSSStyleSheet.prototype.replaceSync) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(el("style", {}, CSS));
    }
    var dialog = el("dialog", { "aria-labelledby": "cx-q", lang: lang });
    var form = el("form", { novalidate: "" });
    var close = el("button", { type: "button", "class": "close", "aria-label": t.close }, "\u00d7");
    var fieldset = el("fieldset");
    fieldset.appendChild(el("legend", { id: "cx-q" }, options.question || t.question));
    var scale = el("div", { "class": "scale" });
    for (var score = low; score <= high; score++) {
      var label = el("label");
      var input = el("input", { type: "radio", name: "score", value: String(score) });
      if (score === low) input.setAttribute("aria-describedby", "cx-low");
      if (score === high) input.setAttribute("aria-describedby", "cx-high");
      label.appendChild(input);
      label.appendChild(el("span", {}, String(score)));
      scale.appendChild(label);
    }
    fieldset.appendChild(scale);
    var ends = el("div", { "class": "ends" });
    ends.appendChild(el("span", { id: "cx-low" }, t.low));
    ends.appendChild(el("span", { id: "cx-high" }, t.high));
    fieldset.appendChild(ends);
    var comment = el("textarea", { id: "cx-c", name: "comment", maxlength: "2000" });
    var msg = el("p", { "class": "msg", role: "status", "aria-live": "polite" });
    var send = el("button", { type: "submit", "class": "send" }, t.submit);
    var parts = comments ? [close, fieldset, el("label", { "for": "cx-c" }, t.comment), comment, msg, send]
      : [close, fieldset, msg, send];
    parts.forEach(function (n) { form.appendChild(n); });
    dialog.appendChild(form);
    root.appendChild(dialog);
    document.body.appendChild(host);
    var opener = document.activeElement;
    current = { dialog: dialog };

    close.addEventListener("click", hide);
    dialog.addEventListener("close", function () {
      host.remove();
      if (current && current.dialog === dialog) current = null;
      if (opener && typeof opener.focus === "function") opener.focus();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var picked = form.querySelector("input[name=score]:checked");
      if (!picked) {
        msg.textContent = t.choose;
        form.querySelector("input[name=score]").focus();
        return;
      }
      var answer = {
        key: KEY,
        survey: String(options.survey || ""),
        customer: String(options.customer || ""),
        score: Number(picked.value),
        comment: comment.value,
        page: String(location.href).slice(0, 2048),
        lang: lang
      };
      send.disabled = true;
      msg.textContent = "";
      fetch(ENDPOINT, {
        method: "POST",
        mode: "cors",
        credentials: "omit",
        keepalive: true,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(answer)
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        form.replaceChildren(close, el("p", { id: "cx-q", "class": "msg", role: "status" }, t.thanks));
        document.dispatchEvent(new CustomEvent("cxloop:answered", { detail: { survey: answer.survey, score: answer.score } }));
        setTimeout(hide, 2500);
      }).catch(function () {
        msg.textContent = t.error;
        send.disabled = false;
      });
    });
    dialog.showModal();
  }

  function cxloop(command, options) {
    if (command === "show") show(options || {});
    else if (command === "hide") hide();
  }
  var queued = (window.cxloop && window.cxloop.q) || [];
  window.cxloop = cxloop;
  document.addEventListener("cxloop:show", function (event) { show(event.detail || {}); });
  queued.forEach(function (args) { cxloop.apply(null, args); });
})();
