// The report page: draws the document the server sends, lets each answer be edited where it
// stands, and saves through the API. Every text goes into the page as text (textContent),
// never as markup, so an answer can never run as script.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const TELEGRAM_JS = "https://telegram.org/js/telegram-web-app.js";
  let tg = null; // Telegram.WebApp, inside Telegram
  let auth = "";
  let page = null; // the last document from the server
  let editing = null; // {key, box}
  let busy = false;

  // 字数 as Word counts it (bot/core/wordcount.py): one per CJK character or full-width mark,
  // one per run of Latin letters or digits.
  function zishu(text) {
    const found = text.match(/[A-Za-z0-9]+|[^\x00-\x7f\s]/g);
    return found ? found.length : 0;
  }

  // Telegram opens a Mini App with its launch data in the address's fragment. Only then is
  // Telegram's script fetched (a browser elsewhere, where telegram.org may be unreachable,
  // never waits for it); without it, the initData in the fragment is enough.
  function launchData() {
    return new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");
  }

  function loadTelegram() {
    if (!launchData()) return Promise.resolve(null);
    return new Promise((resolve) => {
      const script = document.createElement("script");
      const done = () => {
        const app = window.Telegram && window.Telegram.WebApp;
        resolve(app && app.initData ? app : null);
      };
      script.src = TELEGRAM_JS;
      script.onload = done;
      script.onerror = done;
      setTimeout(done, 4000);
      document.head.append(script);
    });
  }

  function credentials() {
    if (tg) {
      return "tma " + tg.initData;
    }
    if (launchData()) {
      return "tma " + launchData();
    }
    const match = /(?:^#|&)t=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem("duizhao-link", decodeURIComponent(match[1]));
      // The token leaves the address bar, so it is not shared by copying the address.
      history.replaceState(null, "", location.pathname + location.search);
    }
    const kept = sessionStorage.getItem("duizhao-link");
    return kept ? "link " + kept : "";
  }

  function status(text, isError) {
    $("status").textContent = text;
    $("status").classList.toggle("error", Boolean(isError));
  }

  async function call(method, path, body) {
    const response = await fetch(path, {
      method: method,
      headers: Object.assign(
        { Authorization: auth },
        body ? { "Content-Type": "application/json" } : {}
      ),
      body: body ? JSON.stringify(body) : undefined,
      cache: "no-store",
      credentials: "omit",
    });
    return response;
  }

  async function message(response) {
    try {
      const data = await response.json();
      return data.error || "出错了（" + response.status + "）";
    } catch (e) {
      return "出错了（" + response.status + "）";
    }
  }

  function interviewParam() {
    const id = new URLSearchParams(location.search).get("interview");
    return id ? "?interview=" + encodeURIComponent(id) : "";
  }

  async function reload() {
    const response = await call("GET", "api/document?interview=" + page.interview);
    if (response.ok) draw(await response.json());
  }

  async function load() {
    tg = await loadTelegram();
    if (tg) {
      if (tg.ready) tg.ready();
      if (tg.expand) tg.expand();
    }
    auth = credentials();
    if (!auth) {
      status("请从 Telegram 里的按钮，或机器人 /web 发来的链接打开此页面。", true);
      return;
    }
    loadMeetings().catch(() => {});
    const response = await call("GET", "api/document" + interviewParam());
    if (!response.ok) {
      status(await message(response), true);
      return;
    }
    draw(await response.json());
    status("点黄色底纹的文字即可修改；改完点“保存”。");
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function segments(parent, pieces) {
    for (const [text, key] of pieces) {
      if (key) {
        const span = el("span", "answer", text);
        span.dataset.key = key;
        span.tabIndex = 0;
        span.setAttribute("role", "button");
        span.title = "点击修改：" + page.fields[key].label;
        parent.appendChild(span);
      } else {
        parent.appendChild(document.createTextNode(text));
      }
    }
  }

  function blockNode(block) {
    let node;
    if (block.kind === "title") node = el("h1");
    else if (block.kind === "heading") node = el("h2");
    else if (block.kind === "subheading") node = el("h3");
    else node = el("p", block.kind === "signature" ? "signature" : "");
    if (block.lead.length) {
      const lead = el("span", "lead");
      segments(lead, block.lead);
      node.appendChild(lead);
    }
    segments(node, block.text);
    return node;
  }

  function draw(data) {
    page = data;
    editing = null;
    $("flow").textContent = data.flow;
    $("total").textContent = data.zishu;
    $("generate").disabled = false;
    const general = $("general-list");
    general.replaceChildren(...data.findings.map((text) => el("li", "", text)));
    $("general").hidden = data.findings.length === 0;
    const doc = $("doc");
    doc.replaceChildren();
    data.parts.forEach((part, index) => {
      const section = el("section", "part");
      section.dataset.part = index;
      const name = el("h3", "part-name");
      name.append(el("span", "", part.name));
      const count = el("span", "part-count", part.zishu + " 字");
      count.dataset.zishu = part.zishu;
      name.append(count);
      section.append(name);
      for (const block of part.blocks) {
        const row = el("div", "row");
        const sheet = el("div", "sheet");
        sheet.append(blockNode(block));
        const notes = el("aside", "notes");
        for (const finding of block.findings) {
          const note = el("p", "note", finding.message);
          if (data.fields[finding.key]) {
            const fix = el("button", "fix", "去修改");
            fix.type = "button";
            fix.dataset.fix = finding.key;
            note.append(" ", fix);
          }
          notes.append(note);
        }
        row.append(sheet, notes);
        section.append(row);
      }
      doc.append(section);
    });
    doc.hidden = false;
    const unplaced = $("unplaced-list");
    unplaced.replaceChildren();
    for (const key of data.unplaced) {
      const item = el("div", "item");
      item.append(el("div", "label", data.fields[key].label));
      const span = el("span", "answer", data.fields[key].value || "（空）");
      span.dataset.key = key;
      span.tabIndex = 0;
      span.setAttribute("role", "button");
      item.append(span);
      unplaced.append(item);
    }
    $("unplaced").hidden = data.unplaced.length === 0;
    drawChoices(data.choices);
  }

  // The meetings the viewer organises, a status table each; the API answers 404 to anyone
  // else, and never sends a draft's content.
  async function loadMeetings() {
    const first = await call("GET", "api/meeting");
    if (!first.ok) return;
    const data = await first.json();
    const tables = [];
    for (const meeting of data.meetings) {
      if (meeting.id === data.meeting) {
        tables.push(data);
        continue;
      }
      const response = await call("GET", "api/meeting?meeting=" + meeting.id);
      if (response.ok) tables.push(await response.json());
    }
    $("meeting-list").replaceChildren(...tables.map(meetingTable));
    $("meetings").hidden = tables.length === 0;
    $("meetings-open").hidden = tables.length === 0;
  }

  function chineseDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return year + "年" + month + "月" + day + "日";
  }

  function meetingTable(data) {
    const box = el("div", "meeting");
    box.dataset.meeting = data.meeting;
    const submitted = data.members.filter((m) => m.submitted).length;
    const head = el("h3", "meeting-name", data.name);
    const sum = " · 已提交 " + submitted + "/" + data.members.length;
    head.append(el("span", "meeting-sum", "截止" + chineseDate(data.deadline) + sum));
    const table = el("table", "status-table");
    const header = el("tr");
    for (const name of ["成员", "加入", "进度", "字数", "提交"]) header.append(el("th", "", name));
    const body = el("tbody");
    for (const member of data.members) {
      const row = el("tr", member.submitted ? "submitted" : "");
      const name = el("td", "member", member.name);
      if (member.co_organiser) name.append(el("span", "co", "协助"));
      const parts = member.joined && member.parts ? member.parts_done + "/" + member.parts : "—";
      let state = "未提交";
      if (member.submitted) state = "已提交";
      else if (member.finished) state = "写完未交";
      row.append(
        name,
        el("td", member.joined ? "" : "absent", member.joined ? "已加入" : "未加入"),
        el("td", "num", parts),
        el("td", "num", member.joined ? String(member.zishu) : "—"),
        el("td", member.submitted ? "yes" : "no", state)
      );
      body.append(row);
    }
    const thead = el("thead");
    thead.append(header);
    table.append(thead, body);
    const scroll = el("div", "table-scroll");
    scroll.append(table);
    box.append(head, scroll);
    return box;
  }

  const OWN = "\u0000own"; // the select's entry for the user's own words

  function drawChoices(choices) {
    const list = $("choice-list");
    list.replaceChildren();
    let part = "";
    for (const choice of choices) {
      if (choice.part !== part) {
        part = choice.part;
        list.append(el("h3", "part-name", part));
      }
      const row = el("div", "choice");
      row.dataset.key = choice.key;
      const label = el("label", "label", choice.label);
      const select = el("select");
      select.setAttribute("aria-label", choice.label);
      if (choice.value === null) {
        const unset = choice.default ? "（未选，默认：" + choice.default + "）" : "（未选）";
        select.append(new Option(unset, "", true, true));
      }
      const known = choice.options.some(([id]) => id === choice.value);
      for (const [id, text] of choice.options) {
        select.append(new Option(text, id, false, id === choice.value));
      }
      const own = el("div", "own");
      const input = el("input");
      input.maxLength = choice.max_length;
      input.setAttribute("aria-label", choice.label + "（自己的说法）");
      const keep = el("button", "", "保存");
      keep.type = "button";
      own.append(input, keep);
      own.hidden = true;
      if (choice.free_text) {
        const mine = choice.value !== null && !known;
        select.append(new Option("自己的说法……", OWN, false, mine));
        if (mine) {
          input.value = choice.value;
          own.hidden = false;
        }
      }
      const error = el("div", "error");
      error.setAttribute("role", "alert");
      select.addEventListener("change", () => {
        if (select.value === OWN) {
          own.hidden = false;
          input.focus();
        } else if (select.value) {
          choose(choice.key, select.value, error);
        }
      });
      keep.addEventListener("click", () => choose(choice.key, input.value, error));
      label.append(select);
      row.append(label, own, error);
      list.append(row);
    }
    $("choices").hidden = choices.length === 0;
  }

  // A choice saves at once; a refused stale save shows the fresh document and says why.
  async function choose(key, value, error) {
    if (busy) return;
    await save(key, value, error, (message) => status(message, true));
  }

  function partOf(node) {
    const section = node.closest(".part");
    return section ? section.querySelector(".part-count") : null;
  }

  function recount(key, text, partCount) {
    const delta = zishu(text) - zishu(page.fields[key].value);
    $("total").textContent = page.zishu + delta;
    if (partCount) partCount.textContent = Number(partCount.dataset.zishu) + delta + " 字";
  }

  function open(span) {
    if (editing || busy) return;
    const key = span.dataset.key;
    const field = page.fields[key];
    const box = el("span", "editor");
    const label = el("label", "", field.label);
    const input = el("textarea");
    input.value = field.value;
    input.maxLength = field.max_length;
    input.rows = field.multiline ? Math.min(12, 2 + Math.ceil(field.value.length / 18)) : 2;
    input.setAttribute("aria-label", field.label);
    label.append(input);
    const tools = el("span", "tools");
    const count = el("span", "count");
    const save = el("button", "primary", "保存");
    save.type = "button";
    const cancel = el("button", "", "取消");
    cancel.type = "button";
    const error = el("span", "error");
    error.setAttribute("role", "alert");
    tools.append(count, cancel, save, error);
    box.append(label, tools);
    const partCount = partOf(span);
    const update = () => {
      let text = zishu(input.value) + " 字";
      if (field.max_chars) text += " / 最多 " + field.max_chars;
      if (field.min_chars) text += "（至少 " + field.min_chars + "）";
      count.textContent = text;
      recount(key, input.value, partCount);
    };
    input.addEventListener("input", update);
    update();
    const close = () => {
      box.replaceWith(span);
      recount(key, field.value, partCount);
      editing = null;
    };
    cancel.addEventListener("click", close);
    save.addEventListener("click", () => submit(key, input.value, error, save));
    span.replaceWith(box);
    editing = { key: key, box: box };
    input.focus();
  }

  async function submit(key, text, error, button) {
    button.disabled = true;
    try {
      await save(key, text, error, (message) => {
        showStale(key, text, message);
        status("没有保存：这份材料已在别处改过，见下方说明。", true);
      });
    } finally {
      button.disabled = false;
    }
  }

  // One answer through the page's save: the new version and document when it is taken;
  // `stale` is told why when the interview changed elsewhere (the fresh document is drawn).
  async function save(key, text, error, stale) {
    busy = true;
    error.textContent = "";
    status("正在保存……");
    try {
      const response = await call("POST", "api/save", {
        interview: page.interview,
        version: page.version,
        key: key,
        text: text,
      });
      const data = await response.json().catch(() => ({}));
      if (response.ok) {
        page.version = data.version;
        await reload();
        status("已保存。");
      } else if (response.status === 409 && data.document) {
        draw(data.document);
        stale(data.error);
      } else {
        error.textContent = data.error || "保存失败（" + response.status + "），请重试。";
        status("没有保存。", true);
      }
    } catch (e) {
      error.textContent = "网络不通，没有保存；请稍后再试。";
      status("没有保存。", true);
    } finally {
      busy = false;
    }
  }

  // A refused save: beside the fresh text, the words the user typed, to copy from.
  function showStale(key, text, error) {
    const note = el("div", "note stale-note");
    note.append(el("p", "", error + "您刚才写的是："), el("blockquote", "stale-text", text));
    const span = document.querySelector('.answer[data-key="' + CSS.escape(key) + '"]');
    const row = span ? span.closest(".row") : null;
    const place = row ? row.querySelector(".notes") : $("doc");
    place.prepend(note);
    note.scrollIntoView({ block: "center" });
  }

  async function generate() {
    if (busy || !page) return;
    busy = true;
    $("generate").disabled = true;
    status("正在生成报告……");
    try {
      const response = await call("POST", "api/generate", { interview: page.interview });
      if (!response.ok) {
        status(await message(response), true);
        return;
      }
      const type = response.headers.get("Content-Type") || "";
      // Generating finishes an interview at its review: a new version to edit from.
      await reload();
      if (type.startsWith("application/json")) {
        status((await response.json()).message);
        return;
      }
      const blob = await response.blob();
      const link = el("a");
      link.href = URL.createObjectURL(blob);
      const disposition = response.headers.get("Content-Disposition") || "";
      const name = /filename\*=UTF-8''([^;]+)/.exec(disposition);
      link.download = name ? decodeURIComponent(name[1]) : "对照检查材料.docx";
      document.body.append(link);
      link.click();
      link.remove();
      status("报告已下载。");
    } catch (e) {
      status("网络不通，请稍后再试。", true);
    } finally {
      busy = false;
      $("generate").disabled = false;
    }
  }

  document.addEventListener("click", (event) => {
    const fix = event.target.closest("button.fix");
    if (fix) {
      const target = document.querySelector(
        '.answer[data-key="' + CSS.escape(fix.dataset.fix) + '"]'
      );
      if (target) {
        target.scrollIntoView({ block: "center" });
        open(target);
      }
      return;
    }
    const span = event.target.closest(".answer");
    if (span && span.dataset.key) open(span);
  });
  document.addEventListener("keydown", (event) => {
    const span = event.target.closest && event.target.closest(".answer");
    if (span && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      open(span);
    }
  });
  $("generate").addEventListener("click", generate);
  $("meetings-open").addEventListener("click", () =>
    $("meetings").scrollIntoView({ block: "start", behavior: "smooth" })
  );
  load().catch(() => status("载入失败，请检查网络后刷新。", true));
})();
