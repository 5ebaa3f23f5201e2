/*
 * 检查事项编辑器 — edits a checklist plugin declaration as a form (never JSON), saves it as it goes
 * through /api/v1/checklist_draft/<id> (optimistic version), shows the server's errors at their
 * fields, previews the inspectors' own form in a phone and a PC frame, tries it for an enterprise
 * (dry run), shows the diff against the version in force and publishes.
 *
 * Plain ES2017, no build step; SortableJS (npm, served by the app) for drag and drop, with 上移/下移
 * buttons doing the same from the keyboard. CSP friendly: no inline handlers, no eval.
 */
(function () {
  "use strict";

  const root = document.getElementById("checklist-builder");
  const source = document.getElementById("builder-data");
  if (!root || !source) return;
  const DATA = JSON.parse(source.textContent);
  const CSRF = root.getAttribute("data-csrf");
  const editor = document.getElementById("builder-editor");
  const statusBox = document.getElementById("builder-status");
  const undoButton = document.getElementById("builder-undo");

  const CHOICE3 = ["compliant", "non_compliant", "not_applicable"];
  const CHOICE_LABELS = { compliant: "符合", non_compliant: "不符合", not_applicable: "不适用" };
  const KINDS = [
    ["choice3", "符合 / 不符合 / 不适用"],
    ["boolean", "是 / 否"],
    ["number", "数字"],
    ["date", "日期"],
    ["text", "文字"],
    ["single", "单选（自定义选项）"],
    ["multi", "多选"],
  ];
  const LEVELS = { ministry: "部级", province: "省级", city: "市级", county: "县级" };

  let decl = null;
  let revision = 0;
  let errors = [];
  let history = [];
  let lastPush = 0;
  let saveTimer = null;
  let saving = false;
  let pendingSave = false;
  let enterprise = "";
  let uid = 0;

  // -- helpers ------------------------------------------------------------------------------------

  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([key, value]) {
      if (value === undefined || value === null || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  const nextId = () => "bf-" + (uid += 1);
  const clone = (value) => JSON.parse(JSON.stringify(value));
  const ptr = (path) => "/" + path.map((p) => String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

  function getAt(path) {
    return path.reduce((node, key) => (node === undefined || node === null ? undefined : node[key]), decl);
  }
  function setAt(path, value) {
    let node = decl;
    path.slice(0, -1).forEach(function (key, index) {
      if (node[key] === undefined || node[key] === null) node[key] = typeof path[index + 1] === "number" ? [] : {};
      node = node[key];
    });
    const last = path[path.length - 1];
    if (value === undefined) delete node[last];
    else node[last] = value;
  }

  /* Remember the state before a change: every structural change is one undo step, a burst of
   * typing (keys less than a second apart) is one step. */
  function remember(typing) {
    const now = Date.now();
    if (!typing || now - lastPush > 1000) {
      history.push(JSON.stringify(decl));
      if (history.length > 100) history.shift();
      undoButton.disabled = false;
    }
    lastPush = typing ? now : 0;
  }
  function changed(redraw) {
    scheduleSave();
    if (redraw) render();
  }
  function edit(path, value, redraw) {
    remember(!redraw);
    setAt(path, value);
    changed(redraw);
  }

  // -- form controls, each labelled, each at its JSON pointer --------------------------------------

  function group(label, control, path, help) {
    const id = control.id || (control.id = nextId());
    const box = h("div", { class: "form-group builder-field", "data-pointer": path ? ptr(path) : null }, [
      h("label", { for: id, text: label }),
      control,
      help ? h("p", { class: "help-block", text: help }) : null,
      h("div", { class: "builder-error text-danger", role: "alert" }),
    ]);
    return box;
  }

  function textInput(label, path, options) {
    const opts = options || {};
    const tag = opts.area ? "textarea" : "input";
    const value = getAt(path);
    const input = h(tag, {
      class: "form-control",
      type: opts.area ? null : opts.type || "text",
      rows: opts.area ? 3 : null,
      list: opts.list || null,
      placeholder: opts.placeholder || null,
      inputmode: opts.inputmode || null,
    });
    input.value = value === undefined || value === null ? "" : String(value);
    input.addEventListener("input", function () {
      let next = input.value;
      if (opts.number) next = next.trim() === "" ? undefined : Number(next);
      else if (opts.optional && next.trim() === "") next = undefined;
      if (opts.number && Number.isNaN(next)) return;
      if (opts.onInput) {
        remember(true);
        opts.onInput(next);
        changed(false);
      } else edit(path, next, false);
    });
    return group(label, input, path, opts.help);
  }

  function selectInput(label, path, choices, onChange) {
    const select = h("select", { class: "form-control" });
    const current = getAt(path);
    choices.forEach(function ([value, text]) {
      const option = h("option", { value: JSON.stringify(value), text: text });
      if (JSON.stringify(value) === JSON.stringify(current)) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", function () {
      const value = JSON.parse(select.value);
      if (onChange) onChange(value);
      else edit(path, value === null ? undefined : value, true);
    });
    return group(label, select, path);
  }

  function checkboxList(legend, path, labels) {
    const chosen = getAt(path) || [];
    const box = h("fieldset", { class: "builder-checks", "data-pointer": ptr(path) }, [h("legend", { text: legend })]);
    Object.entries(labels).forEach(function ([value, text]) {
      const id = nextId();
      const input = h("input", { type: "checkbox", id: id, checked: chosen.indexOf(value) >= 0 });
      input.addEventListener("change", function () {
        const list = (getAt(path) || []).filter((v) => v !== value);
        if (input.checked) list.push(value);
        remember(false);
        setAt(path, list.length ? list : undefined);
        tidyAppliesTo();
        changed(false);
      });
      box.appendChild(h("label", { class: "checkbox-inline", for: id }, [input, " " + text]));
    });
    box.appendChild(h("div", { class: "builder-error text-danger", role: "alert" }));
    return box;
  }

  function tidyAppliesTo() {
    if (decl.applies_to && Object.keys(decl.applies_to).length === 0) delete decl.applies_to;
  }

  function button(text, onClick, extra) {
    return h("button", Object.assign({ type: "button", class: "btn btn-default btn-sm", text: text, onclick: onClick }, extra || {}));
  }

  // -- answer kinds ----------------------------------------------------------------------------

  function kindOf(answer) {
    if (!answer) return "choice3";
    if (answer.type === "boolean") return "boolean";
    if (answer.type === "number" || answer.type === "integer") return "number";
    if (answer.type === "array") return "multi";
    if (answer.format === "date") return "date";
    if (Array.isArray(answer.enum)) return JSON.stringify(answer.enum) === JSON.stringify(CHOICE3) ? "choice3" : "single";
    return "text";
  }

  function answerFor(kind, old) {
    const keep = old && old.title ? { title: old.title } : {};
    if (kind === "choice3") return Object.assign({ type: "string", enum: CHOICE3.slice() }, keep);
    if (kind === "boolean") return Object.assign({ type: "boolean" }, keep);
    if (kind === "number") return Object.assign({ type: "number" }, keep);
    if (kind === "date") return Object.assign({ type: "string", format: "date" }, keep);
    if (kind === "single") return Object.assign({ type: "string", enum: ["选项一", "选项二"] }, keep);
    if (kind === "multi") return Object.assign({ type: "array", items: { type: "string", enum: ["选项一", "选项二"] }, minItems: 1, uniqueItems: true }, keep);
    return Object.assign({ type: "string" }, keep);
  }

  function choicesOf(answer) {
    if (!answer) return [];
    if (answer.type === "boolean") return [[true, "是"], [false, "否"]];
    const values = answer.enum || (answer.items && answer.items.enum) || [];
    return values.map((v) => [v, CHOICE_LABELS[v] || String(v)]);
  }

  function answerEditor(path) {
    const answer = getAt(path) || {};
    const kind = kindOf(answer);
    const box = h("div", { class: "builder-answer", "data-pointer": ptr(path) });
    box.appendChild(
      selectInput("答题方式", path.concat(["x-kind"]), KINDS.map(([k, t]) => [k, t]), function (next) {
        remember();
        setAt(path, answerFor(next, getAt(path)));
        changed(true);
      })
    );
    box.querySelector("select").value = JSON.stringify(kind);
    box.appendChild(textInput("题目（可不填，默认“检查结论”）", path.concat(["title"]), { optional: true }));
    if (kind === "number") {
      box.appendChild(
        selectInput("数字类型", path.concat(["type"]), [["number", "可以有小数"], ["integer", "整数"]])
      );
      box.appendChild(textInput("最小值", path.concat(["minimum"]), { number: true, inputmode: "decimal" }));
      box.appendChild(textInput("最大值", path.concat(["maximum"]), { number: true, inputmode: "decimal" }));
      box.appendChild(textInput("单位", path.concat(["x-unit"]), { optional: true, placeholder: "如 米、MPa" }));
    }
    if (kind === "text") {
      box.appendChild(textInput("最少字数", path.concat(["minLength"]), { number: true, inputmode: "numeric" }));
    }
    if (kind === "single" || kind === "multi") {
      const listPath = kind === "single" ? path.concat(["enum"]) : path.concat(["items", "enum"]);
      const area = h("textarea", { class: "form-control", rows: 3 });
      area.value = (getAt(listPath) || []).join("\n");
      area.addEventListener("input", function () {
        const values = area.value.split("\n").map((s) => s.trim()).filter(Boolean);
        edit(listPath, values, false);
      });
      box.appendChild(group("选项（每行一个）", area, listPath));
    }
    return box;
  }

  // -- conditions ------------------------------------------------------------------------------

  function itemById(id) {
    return (decl.items || []).find((item) => item.id === id);
  }

  /* when: {item?, match?, schema}; `optional` lets evidence be required whatever the answer. */
  function conditionEditor(path, ownItem, optional) {
    const when = getAt(path);
    const box = h("fieldset", { class: "builder-condition", "data-pointer": ptr(path) }, [
      h("legend", { text: optional ? "何时需要" : "何时出现" }),
    ]);
    const targets = [[null, "本事项的答案"]].concat(
      (decl.items || []).filter((i) => i.id !== ownItem.id).map((i) => [i.id, "事项：" + (i.title || "（未命名）")])
    );
    if (optional) targets.unshift(["__always", "无论答什么都需要"]);
    const current = when ? when.item || null : "__always";
    box.appendChild(
      selectInput("看哪一项", path.concat(["item"]), targets, function (next) {
        remember();
        if (next === "__always") setAt(path, undefined);
        else {
          const target = next ? itemById(next) : ownItem;
          const fresh = { schema: defaultSchema(target) };
          if (next) fresh.item = next;
          if (next && target && target.repeat) fresh.match = "any";
          setAt(path, fresh);
        }
        changed(true);
      })
    );
    box.querySelector("select").value = JSON.stringify(current);
    if (!when) return box;
    const target = when.item ? itemById(when.item) : ownItem;
    if (when.item && target && target.repeat) {
      box.appendChild(
        selectInput("逐设备检查的事项按", path.concat(["match"]), [["any", "任一台设备"], ["all", "全部设备"]])
      );
    }
    const answer = target ? target.answer : null;
    const choices = choicesOf(answer);
    if (choices.length) {
      box.appendChild(selectInput("答案为", path.concat(["schema", "const"]), choices));
    } else if (answer && (answer.type === "number" || answer.type === "integer")) {
      box.appendChild(textInput("答案不小于", path.concat(["schema", "minimum"]), { number: true, inputmode: "decimal" }));
    } else {
      box.appendChild(h("p", { class: "help-block", text: "该事项作答后出现。" }));
    }
    return box;
  }

  function defaultSchema(target) {
    const choices = choicesOf(target ? target.answer : null);
    if (!choices.length) return {};
    const bad = choices.find(([v]) => v === "non_compliant" || v === false);
    return { const: (bad || choices[0])[0] };
  }

  // -- one item --------------------------------------------------------------------------------

  function basisEditor(path, legend, penalty) {
    const box = h("fieldset", { class: "builder-basis", "data-pointer": ptr(path) }, [h("legend", { text: legend })]);
    box.appendChild(textInput("法律法规", path.concat(["law"]), { list: "builder-laws", placeholder: "选择或输入，如《中华人民共和国安全生产法》" }));
    box.appendChild(textInput("条", path.concat(["article"]), { optional: true, placeholder: "如 第三十六条" }));
    if (!penalty) box.appendChild(textInput("款", path.concat(["clause"]), { optional: true }));
    box.appendChild(textInput("项", path.concat(["item"]), { optional: true }));
    if (penalty) {
      box.appendChild(checkboxList("可采取的措施", path.concat(["measures"]), DATA.measures));
      ["min", "max"].forEach(function (bound) {
        const label = bound === "min" ? "罚款下限（元）" : "罚款上限（元）";
        box.appendChild(
          textInput(label, path.concat(["fine", bound]), {
            number: true,
            inputmode: "numeric",
            onInput: function (amount) {
              const fine = Object.assign({}, getAt(path.concat(["fine"])) || {});
              if (amount === undefined) delete fine[bound];
              else fine[bound] = amount;
              const amounts = Object.keys(fine).filter((k) => k !== "currency");
              setAt(path.concat(["fine"]), amounts.length ? Object.assign({ currency: "CNY" }, fine) : undefined);
            },
          })
        );
      });
    }
    return box;
  }

  function listEditor(title, path, render, blank, addText) {
    const list = getAt(path) || [];
    const box = h("div", { class: "builder-list", "data-pointer": ptr(path) }, [h("h5", { text: title })]);
    list.forEach(function (_, index) {
      const entry = h("div", { class: "builder-list-entry" }, [render(path.concat([index]), index)]);
      entry.appendChild(
        button("删除", function () {
          remember();
          const next = (getAt(path) || []).filter((__, i) => i !== index);
          setAt(path, next.length || path[path.length - 1] === "legal_basis" ? next : undefined);
          changed(true);
        }, { "aria-label": "删除" + title + (index + 1) })
      );
      box.appendChild(entry);
    });
    box.appendChild(
      button(addText, function () {
        remember();
        setAt(path, (getAt(path) || []).concat([blank()]));
        changed(true);
      })
    );
    box.appendChild(h("div", { class: "builder-error text-danger", role: "alert" }));
    return box;
  }

  function majorEditor(path, item) {
    const rules = item.major_when;
    const id = nextId();
    const input = h("input", { type: "checkbox", id: id, checked: Boolean(rules && rules.length) });
    const box = h("fieldset", { class: "builder-major", "data-pointer": ptr(path.concat(["major_when"])) }, [
      h("legend", { text: "重大事故隐患" }),
      h("label", { for: id }, [input, " 发现的问题可判定为重大事故隐患"]),
    ]);
    input.addEventListener("change", function () {
      remember();
      if (input.checked) {
        item.major_when = [{ when: { schema: defaultSchema(item) }, basis: { law: "《工贸企业重大事故隐患判定标准》（应急管理部令第10号）" } }];
        item.severity = "major";
      } else delete item.major_when;
      changed(true);
    });
    if (rules && rules.length) {
      const rule = path.concat(["major_when", 0]);
      const choices = choicesOf(item.answer);
      if (choices.length && !rules[0].when.follow_up && !rules[0].when.item) {
        box.appendChild(selectInput("答案为", rule.concat(["when", "schema", "const"]), choices));
      }
      box.appendChild(basisEditor(rule.concat(["basis"]), "判定依据（条款）", false));
      if (rules.length > 1) box.appendChild(h("p", { class: "help-block", text: "另有 " + (rules.length - 1) + " 条判定规则，保持不变。" }));
    }
    return box;
  }

  function itemEditor(item, index) {
    const path = ["items", index];
    const body = h("div", { class: "builder-item-body" });
    body.appendChild(textInput("分组", path.concat(["section"]), { optional: true, list: "builder-sections", placeholder: "如 除尘系统" }));
    const numbers = h("details", { class: "builder-advanced" }, [h("summary", { text: "事项编号与序号（一般无需修改）" })]);
    const suffix = h("input", { class: "form-control", type: "text", value: item.id.slice(decl.id.length + 1) });
    suffix.addEventListener("change", function () {
      const next = decl.id + "." + suffix.value.trim();
      if (next !== item.id) renameIds(item.id, next);
    });
    numbers.appendChild(group("事项编号（小写字母、数字、下划线）", suffix, path.concat(["id"])));
    numbers.appendChild(textInput("序号", path.concat(["code"]), { optional: true, placeholder: "如 FC-01" }));
    body.appendChild(numbers);
    body.appendChild(textInput("检查事项名称", path.concat(["title"])));
    body.appendChild(textInput("检查内容", path.concat(["content"]), { area: true }));
    body.appendChild(textInput("检查方法", path.concat(["method"]), { area: true, placeholder: "查资料：…；查现场：…" }));
    body.appendChild(selectInput("隐患等级标注", path.concat(["severity"]), [["general", "一般"], ["major", "可能涉及重大事故隐患"]]));
    const types = [[null, "不逐设备（整个企业答一次）"]].concat(
      Object.entries(DATA.equipment_types).map(([k, t]) => [k, "每台（套）" + t + "各答一次"])
    );
    body.appendChild(
      selectInput("逐设备检查", path.concat(["repeat", "equipment_type"]), types, function (next) {
        remember();
        if (next) item.repeat = { for_each: "equipment", equipment_type: next };
        else delete item.repeat;
        changed(true);
      })
    );
    body.appendChild(answerEditor(path.concat(["answer"])));
    body.appendChild(
      listEditor("追问", path.concat(["follow_ups"]), function (fp, fi) {
        const box = h("div", {}, [
          textInput("追问题目", fp.concat(["title"])),
          textInput("追问编号（小写字母开头，一般无需修改）", fp.concat(["id"])),
        ]);
        box.appendChild(answerEditor(fp.concat(["answer"])));
        box.appendChild(conditionEditor(fp.concat(["when"]), item, false));
        return box;
      }, function () {
        const used = (item.follow_ups || []).map((f) => f.id);
        let n = used.length + 1;
        while (used.indexOf("q" + n) >= 0) n += 1;
        return { id: "q" + n, title: "", when: { schema: defaultSchema(item) }, answer: { type: "string", minLength: 2 } };
      }, "添加追问")
    );
    body.appendChild(
      listEditor("照片和证明材料", path.concat(["evidence"]), function (ep) {
        const box = h("div", {}, [selectInput("类型", ep.concat(["kind"]), [["photo", "现场照片"], ["document", "证明材料"]])]);
        box.appendChild(textInput("至少几份", ep.concat(["min"]), { number: true, inputmode: "numeric" }));
        box.appendChild(textInput("说明", ep.concat(["caption"]), { optional: true, placeholder: "如 积尘部位照片" }));
        box.appendChild(conditionEditor(ep.concat(["when"]), item, true));
        return box;
      }, function () {
        return { kind: "photo", min: 1, when: { schema: defaultSchema(item) } };
      }, "添加照片或材料要求")
    );
    body.appendChild(majorEditor(path, item));
    body.appendChild(
      listEditor("违法依据", path.concat(["legal_basis"]), (bp) => basisEditor(bp, "依据", false), () => ({ law: "" }), "添加违法依据")
    );
    body.appendChild(basisEditor(path.concat(["penalty_basis"]), "处罚依据", true));

    const title = item.title || "（未命名事项）";
    const handle = h("span", { class: "builder-handle", title: "拖动排序", "aria-hidden": "true" }, [h("i", { class: "fa fa-bars" })]);
    const tools = h("div", { class: "builder-item-tools" }, [
      button("上移", () => moveItem(index, index - 1), { disabled: index === 0, "aria-label": "上移：" + title }),
      button("下移", () => moveItem(index, index + 1), { disabled: index === decl.items.length - 1, "aria-label": "下移：" + title }),
      button("复制", () => duplicate(index), { "aria-label": "复制：" + title }),
      button("删除", () => removeItem(index), { class: "btn btn-danger btn-sm", "aria-label": "删除：" + title }),
    ]);
    const details = h("details", { class: "builder-item-details", open: openItems.has(item.id) }, [
      h("summary", {}, [handle, h("span", { class: "builder-item-no", text: String(index + 1) + ". " }), h("span", { class: "builder-item-title", text: title }), item.section ? h("span", { class: "label label-default", text: item.section }) : null, h("span", { class: "builder-item-count" })]),
      tools,
      body,
    ]);
    details.addEventListener("toggle", function () {
      if (details.open) openItems.add(item.id);
      else openItems.delete(item.id);
    });
    return h("li", { class: "builder-item", "data-pointer": ptr(path), "data-item": item.id }, [details]);
  }

  const openItems = new Set();

  // -- item operations -------------------------------------------------------------------------

  /* An item id (or, with `prefix`, the plugin id under every item id) changes everywhere it is
   * referred to: item ids and the conditions that name them. */
  function renameIds(old, next, prefix) {
    const swap = function (value) {
      if (typeof value !== "string") return value;
      if (prefix) return value.startsWith(old + ".") ? next + value.slice(old.length) : value;
      return value === old ? next : value;
    };
    const walk = function (node) {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === "object") {
        Object.keys(node).forEach(function (key) {
          if (key === "id" || key === "item") node[key] = swap(node[key]);
          else walk(node[key]);
        });
      }
    };
    if (!prefix) remember(false);
    walk(decl.items || []);
    Array.from(openItems).forEach(function (id) {
      openItems.delete(id);
      openItems.add(swap(id));
    });
    if (prefix) decl.id = next;
    else {
      openItems.add(next);
      changed(true);
    }
  }

  function uniqueItemId(base) {
    const ids = new Set((decl.items || []).map((i) => i.id));
    let candidate = decl.id + "." + base;
    let n = 2;
    while (ids.has(candidate)) candidate = decl.id + "." + base + "_" + n++;
    return candidate;
  }

  function newItem() {
    const item = {
      id: uniqueItemId("item" + ((decl.items || []).length + 1)),
      title: "",
      content: "",
      method: "",
      severity: "general",
      answer: answerFor("choice3"),
      legal_basis: [{ law: "" }],
      penalty_basis: { law: "" },
    };
    const last = (decl.items || [])[decl.items.length - 1];
    if (last && last.section) item.section = last.section;
    return item;
  }

  function addItem(item) {
    remember();
    decl.items = (decl.items || []).concat([item]);
    openItems.add(item.id);
    changed(true);
    const node = editor.querySelector("[data-item='" + CSS.escape(item.id) + "'] summary");
    if (node) node.focus();
  }

  function moveItem(from, to) {
    if (to < 0 || to >= decl.items.length) return;
    remember();
    const [item] = decl.items.splice(from, 1);
    decl.items.splice(to, 0, item);
    changed(true);
    const node = editor.querySelector("[data-item='" + CSS.escape(item.id) + "'] summary");
    if (node) node.focus();
  }

  function duplicate(index) {
    const copy = clone(decl.items[index]);
    copy.id = uniqueItemId(copy.id.split(".").pop() + "_copy");
    copy.title = (copy.title || "") + "（副本）";
    decl.items.splice(index + 1, 0, copy);
    history.push(JSON.stringify(Object.assign({}, decl, { items: decl.items.filter((_, i) => i !== index + 1) })));
    undoButton.disabled = false;
    openItems.add(copy.id);
    changed(true);
  }

  function removeItem(index) {
    remember();
    decl.items.splice(index, 1);
    changed(true);
  }

  /* An item of another visible plugin as a starting point: ids under this plugin's id. */
  function copyFrom(plugin, item) {
    const oldPrefix = plugin.id + ".";
    const rename = function (value) {
      if (Array.isArray(value)) return value.map(rename);
      if (value && typeof value === "object") {
        const out = {};
        Object.entries(value).forEach(([k, v]) => (out[k] = rename(v)));
        return out;
      }
      return typeof value === "string" && value.startsWith(oldPrefix) ? decl.id + "." + value.slice(oldPrefix.length) : value;
    };
    const copy = rename(clone(item));
    copy.id = uniqueItemId(item.id.split(".").pop());
    if (copy.repeat && !DATA.equipment_types[copy.repeat.equipment_type]) {
      const declared = (plugin.equipment_types || []).find((t) => t.id === copy.repeat.equipment_type);
      if (declared && !(decl.equipment_types || []).some((t) => t.id === declared.id)) {
        decl.equipment_types = (decl.equipment_types || []).concat([declared]);
      }
    }
    addItem(copy);
  }

  // -- the page --------------------------------------------------------------------------------

  function render() {
    const scroll = window.scrollY;
    editor.textContent = "";
    const sections = Array.from(new Set((decl.items || []).map((i) => i.section).filter(Boolean)));
    editor.appendChild(h("datalist", { id: "builder-sections" }, sections.map((s) => h("option", { value: s }))));
    editor.appendChild(h("datalist", { id: "builder-laws" }, (DATA.laws || []).map((l) => h("option", { value: l.law }))));

    const basics = h("fieldset", { class: "builder-basics", "data-pointer": "" }, [h("legend", { text: "基本信息" })]);
    basics.appendChild(textInput("检查事项名称", ["title"], { placeholder: "如 粉尘涉爆企业补充检查事项" }));
    basics.appendChild(textInput("说明", ["description"], { area: true, optional: true }));
    basics.appendChild(textInput("发布单位", ["issuer", "name"]));
    const issuer = decl.issuer || {};
    basics.appendChild(h("p", { class: "help-block", text: "发布层级：" + (LEVELS[issuer.level] || "") + (issuer.region ? "（行政区划 " + issuer.region + "）" : "（全国）") }));
    const advanced = h("details", { class: "builder-advanced" }, [h("summary", { text: "编号与版本（一般无需修改）" })]);
    advanced.appendChild(
      textInput("插件编号", ["id"], {
        help: "发布后不再改变；事项编号随之改变",
        onInput: function (next) {
          const old = decl.id;
          renameIds(old, next || "", true);
        },
      })
    );
    advanced.appendChild(textInput("版本", ["version"], { help: "发布时如版本已存在，平台自动提升" }));
    basics.appendChild(advanced);
    editor.appendChild(basics);

    editor.appendChild(
      listEditor("本检查表新增的设备类型（平台已有的类型无需填写）", ["equipment_types"], function (tp) {
        return h("div", {}, [
          textInput("类型编号（小写字母开头）", tp.concat(["id"]), { placeholder: "如 ammonia_valve_station" }),
          textInput("类型名称", tp.concat(["title"]), { placeholder: "如 液氨阀门站" }),
        ]);
      }, () => ({ id: "", title: "" }), "添加设备类型")
    );

    const scope = h("fieldset", { class: "builder-scope", "data-pointer": "/applies_to" }, [h("legend", { text: "适用范围（不选则适用于辖区内全部企业；满足任一即适用）" })]);
    scope.appendChild(checkboxList("专项", ["applies_to", "tags"], DATA.tags));
    scope.appendChild(checkboxList("行业", ["applies_to", "sectors"], DATA.sectors));
    scope.appendChild(checkboxList("登记了以下设备的企业", ["applies_to", "equipment_types"], DATA.equipment_types));
    editor.appendChild(scope);

    if (sections.length > 1) {
      const order = h("ol", { class: "builder-sections", id: "builder-section-order", "aria-label": "分组顺序" });
      sections.forEach(function (name, index) {
        order.appendChild(
          h("li", { class: "builder-section", "data-section": name }, [
            h("span", { class: "builder-handle", "aria-hidden": "true" }, [h("i", { class: "fa fa-bars" })]),
            " " + name + " ",
            button("上移", () => moveSection(sections, index, index - 1), { disabled: index === 0, "aria-label": "分组上移：" + name }),
          ])
        );
      });
      editor.appendChild(h("div", { class: "builder-section-box" }, [h("h4", { text: "分组顺序（拖动调整）" }), order]));
      sortable(order, (from, to) => moveSection(sections, from, to));
    }

    editor.appendChild(h("h4", { text: "检查事项（" + (decl.items || []).length + " 项，拖动或用上移/下移调整顺序）" }));
    const list = h("ol", { class: "builder-items", id: "builder-items", "data-pointer": "/items" });
    (decl.items || []).forEach((item, index) => list.appendChild(itemEditor(item, index)));
    editor.appendChild(list);
    editor.appendChild(h("div", { class: "builder-error text-danger", role: "alert", "data-pointer": "/items" }));
    sortable(list, moveItem);
    editor.appendChild(button("添加检查事项", () => addItem(newItem()), { class: "btn btn-primary", id: "builder-add-item" }));
    editor.appendChild(copyPanel());
    showErrors();
    window.scrollTo(0, scroll);
  }

  function moveSection(sections, from, to) {
    if (to < 0 || to >= sections.length) return;
    remember();
    const order = sections.slice();
    const [name] = order.splice(from, 1);
    order.splice(to, 0, name);
    const rank = (item) => (item.section ? order.indexOf(item.section) : -1);
    decl.items = decl.items.map((item, i) => [item, i]).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map((p) => p[0]);
    changed(true);
  }

  function sortable(list, onMove) {
    if (!window.Sortable) return;
    window.Sortable.create(list, {
      handle: ".builder-handle",
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) onMove(event.oldIndex, event.newIndex);
      },
    });
  }

  function copyPanel() {
    const pluginSelect = h("select", { class: "form-control", id: "copy-plugin" }, [h("option", { value: "", text: "选择检查事项…" })]);
    DATA.plugins.forEach((p) => pluginSelect.appendChild(h("option", { value: p.id, text: p.title + "（" + p.version + "）" })));
    const itemSelect = h("select", { class: "form-control", id: "copy-item", disabled: true });
    let loaded = null;
    pluginSelect.addEventListener("change", async function () {
      itemSelect.textContent = "";
      itemSelect.disabled = true;
      if (!pluginSelect.value) return;
      const response = await fetch(DATA.checklist_api + encodeURIComponent(pluginSelect.value), { credentials: "same-origin" });
      if (!response.ok) return;
      loaded = (await response.json()).result;
      loaded.items.forEach((item, i) => itemSelect.appendChild(h("option", { value: String(i), text: item.title })));
      itemSelect.disabled = false;
    });
    const go = button("复制到本检查表", function () {
      if (loaded && itemSelect.value !== "") copyFrom(loaded, loaded.items[Number(itemSelect.value)]);
    }, { id: "copy-go" });
    return h("details", { class: "builder-copy" }, [
      h("summary", { text: "从已有检查事项复制一项" }),
      group("检查事项", pluginSelect),
      group("事项", itemSelect),
      go,
    ]);
  }

  // -- errors at their fields ------------------------------------------------------------------

  function showErrors() {
    editor.querySelectorAll(".builder-error").forEach((n) => (n.textContent = ""));
    editor.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
    editor.querySelectorAll(".builder-item-count").forEach((n) => (n.textContent = ""));
    errors.forEach(function (error) {
      let path = error.path === "/" ? "" : error.path;
      const missing = /缺少必填字段“([^”]+)”/.exec(error.message);
      if (missing) path = path + "/" + missing[1];
      let box = null;
      while (box === null) {
        box = editor.querySelector("[data-pointer='" + CSS.escape(path) + "']");
        if (box || path === "") break;
        path = path.slice(0, path.lastIndexOf("/"));
      }
      box = box || editor;
      const slot = Array.from(box.children).find((c) => c.classList && c.classList.contains("builder-error")) || box.querySelector(".builder-error");
      if (slot) slot.appendChild(h("div", { text: error.message }));
      const input = box.querySelector("input, select, textarea");
      if (input && box.classList.contains("builder-field")) input.setAttribute("aria-invalid", "true");
      const item = /^\/items\/(\d+)/.exec(error.path);
      if (item) {
        const count = editor.querySelector("[data-pointer='/items/" + item[1] + "'] .builder-item-count");
        if (count) count.textContent = " 需修改";
      }
    });
  }

  // -- saving ------------------------------------------------------------------------------------

  function setStatus(text, kind) {
    statusBox.textContent = text;
    statusBox.className = "builder-status " + (kind ? "text-" + kind : "");
  }

  function scheduleSave() {
    setStatus("正在编辑…", "muted");
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 700);
  }

  async function api(method, url, body) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": CSRF },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = {};
    try {
      payload = await response.json();
    } catch (error) {
      payload = {};
    }
    return { status: response.status, body: payload };
  }

  async function save() {
    if (saving) {
      pendingSave = true;
      return;
    }
    saving = true;
    setStatus("正在保存…", "muted");
    try {
      const answer = await api("PUT", DATA.api, { declaration: decl, version: revision });
      if (answer.status === 200) {
        revision = answer.body.version;
        errors = answer.body.errors || [];
        showErrors();
        setStatus(errors.length ? "已保存草稿 · 还有 " + errors.length + " 处需要修改" : "已保存草稿 · 可以预览和发布", errors.length ? "warning" : "success");
        refreshPreview();
      } else if (answer.status === 409) {
        setStatus("草稿已在其他窗口修改：请刷新页面后再编辑", "danger");
      } else {
        setStatus((answer.body.message || "保存失败") + "（" + answer.status + "）", "danger");
      }
    } catch (error) {
      setStatus("网络连接失败，稍后自动重试保存", "danger");
      saveTimer = setTimeout(save, 5000);
    } finally {
      saving = false;
      if (pendingSave) {
        pendingSave = false;
        save();
      }
    }
  }

  undoButton.addEventListener("click", function () {
    if (!history.length) return;
    decl = JSON.parse(history.pop());
    lastPush = 0;
    undoButton.disabled = history.length === 0;
    changed(true);
  });

  // -- preview, dry run, diff, publish -----------------------------------------------------------

  const phone = document.getElementById("preview-phone");
  const pc = document.getElementById("preview-pc");
  function refreshPreview() {
    const url = DATA.preview_url + "?t=" + Date.now() + (enterprise ? "&enterprise=" + enterprise : "");
    const showingPhone = !document.getElementById("phone-frame-wrap").hidden;
    (showingPhone ? phone : pc).src = url;
    (showingPhone ? pc : phone).dataset.stale = "1";
  }
  function pickFrame(toPhone) {
    document.getElementById("phone-frame-wrap").hidden = !toPhone;
    document.getElementById("pc-frame-wrap").hidden = toPhone;
    document.getElementById("frame-phone").classList.toggle("active", toPhone);
    document.getElementById("frame-pc").classList.toggle("active", !toPhone);
    document.getElementById("frame-phone").setAttribute("aria-pressed", String(toPhone));
    document.getElementById("frame-pc").setAttribute("aria-pressed", String(!toPhone));
    const frame = toPhone ? phone : pc;
    if (frame.dataset.stale || frame.src === "about:blank") {
      delete frame.dataset.stale;
      frame.src = DATA.preview_url + "?t=" + Date.now() + (enterprise ? "&enterprise=" + enterprise : "");
    }
  }
  document.getElementById("frame-phone").addEventListener("click", () => pickFrame(true));
  document.getElementById("frame-pc").addEventListener("click", () => pickFrame(false));

  const enterpriseSelect = document.getElementById("dry-run-enterprise");
  DATA.enterprises.forEach((e) => enterpriseSelect.appendChild(h("option", { value: String(e.id), text: e.name })));
  document.getElementById("dry-run-load").addEventListener("click", function () {
    enterprise = enterpriseSelect.value;
    phone.dataset.stale = "1";
    pc.dataset.stale = "1";
    refreshPreview();
  });

  function itemTitle(path) {
    const id = path.split("/")[1];
    const item = itemById(id);
    return item ? item.title : id;
  }

  document.getElementById("dry-run-go").addEventListener("click", async function () {
    const out = document.getElementById("dry-run-result");
    out.textContent = "";
    if (!enterprise) {
      out.appendChild(h("p", { class: "text-warning", text: "请先选择企业并点“按该企业预览”，在预览中填写后再试填校验。" }));
      return;
    }
    const frame = document.getElementById("phone-frame-wrap").hidden ? pc : phone;
    const formRoot = frame.contentDocument && frame.contentDocument.getElementById("checklist-form");
    const form = formRoot && formRoot.checklistForm;
    if (!form) {
      out.appendChild(h("p", { class: "text-warning", text: "预览尚未生成：请先改正检查事项中的错误。" }));
      return;
    }
    const answer = await api("POST", DATA.api + "/dry_run", { enterprise_id: Number(enterprise), answers: form.answers() });
    if (answer.status !== 200) {
      (answer.body.errors || [{ message: "试填失败" }]).forEach((e) => out.appendChild(h("p", { class: "text-danger", text: e.message })));
      return;
    }
    const result = answer.body;
    if (!result.applies) out.appendChild(h("p", { class: "text-warning", text: "注意：按适用范围，该检查事项不适用于这家企业。" }));
    if (result.errors.length) {
      out.appendChild(h("p", { class: "text-danger", text: "服务器校验未通过（" + result.errors.length + " 处）：" }));
      out.appendChild(h("ul", { id: "dry-run-errors" }, result.errors.map((e) => h("li", { text: itemTitle(e.path) + "：" + e.message }))));
    } else {
      out.appendChild(h("p", { class: "text-success", id: "dry-run-ok", text: "服务器校验通过。" }));
    }
    out.appendChild(h("p", { text: result.suggestions.length ? "建议的处理措施：" : "未发现问题隐患。" }));
    out.appendChild(
      h("ul", { id: "dry-run-suggestions" }, result.suggestions.map((s) => h("li", { text: s.title + "：" + (s.measures || []).map((m) => DATA.measures[m] || m).join("、") + (s.major ? "（重大事故隐患：" + s.major_basis + "）" : "") })))
    );
  });

  function value(v) {
    if (v === null || v === undefined) return "（无）";
    if (typeof v === "string") return CHOICE_LABELS[v] || v;
    if (typeof v === "boolean") return v ? "是" : "否";
    return JSON.stringify(v, null, 1);
  }

  document.getElementById("diff-show").addEventListener("click", async function () {
    const out = document.getElementById("diff-result");
    out.textContent = "";
    const answer = await api("GET", DATA.api + "/diff");
    const diff = answer.body;
    if (answer.status !== 200) return;
    if (!diff.needs_publishing) {
      out.appendChild(h("p", { class: "text-muted", text: "内容与正在使用的版本相同，无需发布。" }));
      return;
    }
    out.appendChild(h("p", { text: diff.from_version ? "与现行版本 " + diff.from_version + " 相比：" : "尚未发布过，发布后为第一个版本。" }));
    if (diff.breaking.length) {
      out.appendChild(h("div", { class: "alert alert-danger", id: "diff-breaking" }, [h("strong", { text: "不兼容的修改：" }), h("ul", {}, diff.breaking.map((b) => h("li", { text: itemTitle("/" + b.item_id) + "：" + b.message })))]));
    }
    if (diff.added.length) out.appendChild(h("p", { text: "新增 " + diff.added.length + " 项：" + diff.added.map((a) => a.title).join("、") }));
    if (diff.removed.length) out.appendChild(h("p", { text: "删除 " + diff.removed.length + " 项：" + diff.removed.map((a) => a.title + (a.used ? "（已有检查记录）" : "")).join("、") }));
    if (diff.moved.length) out.appendChild(h("p", { text: "调整顺序 " + diff.moved.length + " 项" }));
    diff.changed.forEach(function (item) {
      const rows = item.fields.map((f) => h("tr", {}, [h("td", { text: f.label || f.path }), h("td", { class: "diff-before", text: value(f.before) }), h("td", { class: "diff-after", text: value(f.after) })]));
      out.appendChild(h("div", { class: "table-responsive-wrap" }, [h("table", { class: "table table-condensed table-bordered diff-table" }, [h("caption", { text: "修改：" + item.title }), h("thead", {}, [h("tr", {}, [h("th", { text: "内容" }), h("th", { text: "原来" }), h("th", { text: "现在" })])]), h("tbody", {}, rows)])]));
    });
  });

  document.getElementById("publish-go").addEventListener("click", async function () {
    const out = document.getElementById("publish-result");
    out.textContent = "";
    clearTimeout(saveTimer);
    await save();
    const answer = await api("POST", DATA.api + "/publish");
    if (answer.status === 200) {
      out.appendChild(h("div", { class: "alert alert-success", id: "publish-done", text: "已发布：版本 " + answer.body.version + "，辖区执法人员现在即可使用。" }));
      setStatus("已发布版本 " + answer.body.version, "success");
    } else if (answer.status === 202) {
      out.appendChild(h("div", { class: "alert alert-info", id: "publish-pending", text: "待审核：已提交省级应急管理部门审核，审核通过后发布。" }));
    } else {
      const list = answer.body.errors || [{ message: answer.body.message || "发布失败" }];
      out.appendChild(h("div", { class: "alert alert-danger", id: "publish-refused" }, [h("p", { text: "无法发布：" }), h("ul", {}, list.map((e) => h("li", { text: e.message })))]));
      errors = list.filter((e) => e.path);
      showErrors();
    }
  });

  async function review(action, body) {
    const out = document.getElementById("review-result");
    out.textContent = "";
    const answer = await api("POST", DATA.api + "/" + action, body);
    const ok = answer.status === 200;
    const text = ok ? (action === "approve" ? "已审核通过并发布：版本 " + answer.body.version : "已退回") : (answer.body.errors || [{ message: "操作失败" }]).map((e) => e.message).join("；");
    out.appendChild(h("div", { class: "alert " + (ok ? "alert-success" : "alert-danger"), text: text }));
  }
  if (document.getElementById("review-approve")) {
    document.getElementById("review-approve").addEventListener("click", () => review("approve"));
    document.getElementById("review-return").addEventListener("click", () => review("return", { reason: document.getElementById("review-reason").value }));
  }

  // -- start -------------------------------------------------------------------------------------

  async function start() {
    const [draft, laws] = await Promise.all([api("GET", DATA.api), api("GET", DATA.laws_url)]);
    if (draft.status !== 200) {
      setStatus("草稿无法读取（" + draft.status + "）", "danger");
      return;
    }
    decl = draft.body.declaration;
    revision = draft.body.version;
    errors = draft.body.errors || [];
    DATA.laws = laws.status === 200 ? laws.body.result : [];
    if ((decl.items || []).length) openItems.add(decl.items[0].id);
    render();
    setStatus(
      draft.body.status === "pending" ? "待审核" : draft.body.status === "returned" ? "已退回：" + (draft.body.review_reason || "") : errors.length ? "还有 " + errors.length + " 处需要修改" : "草稿已保存",
      errors.length ? "warning" : "muted"
    );
    pickFrame(true);
  }

  start();
})();
