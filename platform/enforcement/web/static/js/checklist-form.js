/*
 * 现场检查表 — draws a compiled checklist (JSON Forms style UI schema + JSON Schema of the answers,
 * embedded in the page as <script type="application/json" id="checklist-data">) as phone-friendly
 * cards, shows follow-ups and evidence when their SHOW rule holds, uploads evidence at once, and saves
 * drafts / submits to POST /api/v1/checklist/<id>/answers. Errors come back as JSON pointers and are
 * shown next to the matching field. Also: the client-side filter of the 检查事项 overview table.
 *
 * Plain ES2017, no build step, no library. CSP friendly: no inline handlers, no eval.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // Small helpers

  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(function ([key, value]) {
      if (value === undefined || value === null || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (value === true) node.setAttribute(key, "");
      else node.setAttribute(key, String(value));
    });
    (children || []).forEach(function (child) {
      if (child === undefined || child === null || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  const escapeToken = (s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");
  const unescapeToken = (s) => s.replace(/~1/g, "/").replace(/~0/g, "~");
  const pointer = (parts) => "/" + parts.map(escapeToken).join("/");
  const scopeParts = (scope) => scope.replace(/^#\/?/, "").split("/").map(unescapeToken);

  function resolveScope(schema, scope) {
    let node = schema;
    scopeParts(scope).forEach(function (part) {
      node = node && typeof node === "object" ? node[part] : undefined;
    });
    return node && typeof node === "object" ? node : {};
  }

  /* The key path inside one answer object: ["answer"], ["defect"] or ["evidence", "photo"]. */
  function fieldKey(scope) {
    const parts = scopeParts(scope);
    let start = 2;
    if (parts[start] === "items") start += 1;
    return parts.slice(start).filter((_, index) => index % 2 === 1);
  }

  const itemOfScope = (scope) => scopeParts(scope)[1];

  function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => deepEqual(a[key], b[key]));
  }

  function typeMatches(type, value) {
    const types = Array.isArray(type) ? type : [type];
    return types.some(function (t) {
      if (t === "integer") return Number.isInteger(value);
      if (t === "number") return typeof value === "number";
      if (t === "array") return Array.isArray(value);
      if (t === "null") return value === null;
      if (t === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
      return typeof value === t;
    });
  }

  /*
   * Does `value` validate against a rule's condition schema? The conditions plugins use are small:
   * const, enum, not, plus anyOf / allOf / oneOf, type and min/max for good measure. An unanswered
   * question (undefined) never satisfies a condition — the server's if/then requires the answer too.
   */
  function matches(schema, value) {
    if (value === undefined) return false;
    if (schema === true || schema === undefined) return true;
    if (schema === false) return false;
    if ("const" in schema && !deepEqual(schema.const, value)) return false;
    if (Array.isArray(schema.enum) && !schema.enum.some((v) => deepEqual(v, value))) return false;
    if (schema.not !== undefined && matches(schema.not, value)) return false;
    if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => matches(s, value))) return false;
    if (Array.isArray(schema.allOf) && !schema.allOf.every((s) => matches(s, value))) return false;
    if (Array.isArray(schema.oneOf) && schema.oneOf.filter((s) => matches(s, value)).length !== 1) return false;
    if (schema.type !== undefined && !typeMatches(schema.type, value)) return false;
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum) return false;
      if (typeof schema.maximum === "number" && value > schema.maximum) return false;
    }
    if (Array.isArray(value) && schema.contains !== undefined && !value.some((v) => matches(schema.contains, v))) return false;
    return true;
  }

  function money(amount) {
    if (typeof amount !== "number") return "";
    return amount >= 10000 && amount % 10000 === 0 ? amount / 10000 + " 万元" : amount.toLocaleString("zh-CN") + " 元";
  }

  function fineText(fine) {
    if (!fine || (fine.min === undefined && fine.max === undefined)) return "";
    if (fine.min !== undefined && fine.max !== undefined) return money(fine.min) + "以上" + money(fine.max) + "以下";
    if (fine.max !== undefined) return money(fine.max) + "以下";
    return money(fine.min) + "以上";
  }

  const BOOLEAN_CHOICES = [
    { value: true, label: "是" },
    { value: false, label: "否" },
  ];
  const SHOW = (rule, holds) => (rule.effect === "HIDE" ? !holds : holds);

  // ---------------------------------------------------------------------------------------------
  // Input widgets: each is {node, get(), set(value)}

  let uid = 0;
  const nextName = () => "cl-f" + (uid += 1);
  // Evidence file names seen on this page (the answers keep only checksums): sha256 → name.
  const fileNames = {};

  function choiceWidget(options, multiple, labelId) {
    const name = nextName();
    const inputs = [];
    const node = h("div", {
      class: "cl-choices" + (multiple ? " cl-multi" : "") + (options.length > 3 || multiple ? " cl-stack" : ""),
      role: multiple ? "group" : "radiogroup",
      "aria-labelledby": labelId,
    });
    options.forEach(function (option, index) {
      const input = h("input", { type: multiple ? "checkbox" : "radio", name: name, value: String(index) });
      inputs.push(input);
      node.appendChild(
        h("label", { class: "cl-choice", "data-value": String(option.value) }, [input, h("span", { text: option.label })])
      );
    });
    return {
      node: node,
      get() {
        if (multiple) {
          const picked = inputs.filter((i) => i.checked).map((i) => options[Number(i.value)].value);
          return picked.length ? picked : undefined;
        }
        const checked = inputs.find((i) => i.checked);
        return checked ? options[Number(checked.value)].value : undefined;
      },
      set(value) {
        inputs.forEach(function (input, index) {
          const option = options[index].value;
          input.checked = multiple ? Array.isArray(value) && value.some((v) => deepEqual(v, option)) : deepEqual(option, value);
        });
      },
    };
  }

  function textWidget(schema, labelId) {
    const isDate = schema.type === "string" && schema.format === "date";
    const isNumber = schema.type === "number" || schema.type === "integer";
    let input;
    if (isDate) input = h("input", { type: "date", class: "form-control cl-input", "aria-labelledby": labelId });
    else if (isNumber) {
      input = h("input", {
        type: "number",
        class: "form-control cl-input",
        inputmode: schema.type === "integer" ? "numeric" : "decimal",
        step: schema.type === "integer" ? "1" : "any",
        min: schema.minimum,
        max: schema.maximum,
        "aria-labelledby": labelId,
      });
    } else {
      input = h("textarea", {
        class: "form-control cl-input",
        rows: 3,
        maxlength: schema.maxLength,
        placeholder: schema.minLength ? "至少 " + schema.minLength + " 个字" : null,
        "aria-labelledby": labelId,
      });
    }
    return {
      node: input,
      get() {
        const raw = input.value.trim();
        if (raw === "") return undefined;
        if (isNumber) {
          const number = Number(raw);
          return Number.isFinite(number) ? number : raw;
        }
        return isDate ? raw : input.value;
      },
      set(value) {
        input.value = value === undefined || value === null ? "" : String(value);
      },
    };
  }

  function answerWidget(schema, control, labelId) {
    const choices = (control.options && control.options.choices) || null;
    if (schema.type === "boolean") return choiceWidget(BOOLEAN_CHOICES, false, labelId);
    if (schema.type === "array") {
      const values = (schema.items && schema.items.enum) || [];
      return choiceWidget(choices || values.map((v) => ({ value: v, label: String(v) })), true, labelId);
    }
    if (choices || Array.isArray(schema.enum)) {
      return choiceWidget(choices || schema.enum.map((v) => ({ value: v, label: String(v) })), false, labelId);
    }
    const widget = textWidget(schema, labelId);
    const unit = control.options && control.options.unit;
    if (unit) widget.node = h("div", { class: "input-group" }, [widget.node, h("span", { class: "input-group-addon cl-unit", text: unit })]);
    return widget;
  }

  // ---------------------------------------------------------------------------------------------
  // The form

  function ChecklistForm(root, data) {
    this.root = root;
    this.data = data;
    this.preview = data.mode !== "fill";
    this.csrf = root.getAttribute("data-csrf") || "";
    this.items = []; // {id, group, card, repeat, units}
    this.plainUnits = {};
    this.pointers = new Map(); // JSON pointer -> element that shows its errors
    this.draft = data.draft || null;
  }

  ChecklistForm.prototype.render = function () {
    const data = this.data;
    const ui = data.ui_schema || {};
    this.root.textContent = "";
    this.summary = h("div", { class: "cl-summary", id: "cl-summary", "aria-live": "polite" });
    this.root.appendChild(
      h("div", { class: "cl-form-head" }, [
        h("h3", { class: "cl-form-title", text: data.title }),
        h("div", { class: "text-muted small cl-form-version" }, [
          h("span", { text: "版本 " + data.version, title: "表单校验码 " + data.schema_hash }),
        ]),
      ])
    );
    this.root.appendChild(this.summary);
    const body = h("div", { class: "cl-body" });
    this.root.appendChild(body);
    (ui.elements || []).forEach((category) => {
      if (category.label) body.appendChild(h("h3", { class: "cl-section", text: category.label }));
      (category.elements || []).forEach((group) => body.appendChild(this.renderItem(group)));
    });
    if (this.draft) this.prefill(this.draft);
    if (!this.preview) {
      this.root.appendChild(this.renderActions());
      this.root.classList.add("cl-has-actions");
    }
    this.root.addEventListener("change", () => this.refresh());
    this.root.addEventListener("input", () => this.refresh());
    this.refresh();
    if (this.draft) this.notice("info", "已载入您上次保存的草稿。");
  };

  ChecklistForm.prototype.renderItem = function (group) {
    const o = group.options || {};
    const itemId = o.item_id;
    const major = o.severity === "major";
    const card = h("section", {
      class: "cl-item" + (major ? " cl-major" : ""),
      id: "item-" + String(itemId).replace(/[^A-Za-z0-9_-]/g, "-"),
      "data-item": itemId,
      "data-pointer": pointer([itemId]),
    });
    const head = h("div", { class: "cl-item-head" }, [
      h("div", { class: "cl-item-tags" }, [
        o.code ? h("span", { class: "cl-code", text: o.code }) : null,
        major
          ? h("span", { class: "label label-danger cl-severity", text: "重大隐患" })
          : h("span", { class: "label label-default cl-severity", text: o.severity_label || "一般" }),
      ]),
      h("h4", { class: "cl-item-title", text: group.label }),
    ]);
    card.appendChild(head);
    card.appendChild(h("details", { class: "cl-details" }, [h("summary", { text: "检查内容" }), h("p", { text: o.content || "" })]));
    card.appendChild(h("details", { class: "cl-details" }, [h("summary", { text: "检查方法" }), h("p", { text: o.method || "" })]));
    card.appendChild(this.renderBasis(o));
    card.appendChild(h("div", { class: "cl-error cl-item-error", hidden: true, role: "alert" }));
    this.pointers.set(pointer([itemId]), card);

    const item = { id: itemId, group: group, card: card, repeat: o.repeat || null, units: [] };
    if (item.repeat) {
      const type = item.repeat.equipment_type;
      const typeLabel = (this.data.equipment_types || {})[type] || type;
      const pieces = (this.data.equipment || []).filter((e) => e.type === type);
      card.appendChild(
        h("p", { class: "cl-repeat-note" }, [h("i", { class: "fa fa-cogs", "aria-hidden": "true" }), " 逐设备检查：" + typeLabel + "，共 " + pieces.length + " 台"])
      );
      if (!pieces.length) {
        card.appendChild(
          h("p", {
            class: "alert alert-info cl-no-equipment",
            text: "设备台账中没有登记" + typeLabel + "，本项无需逐台作答。如现场发现未登记的设备，请先在设备台账中登记后再检查。",
          })
        );
      }
      pieces.forEach((piece, index) => {
        const unitPointer = pointer([itemId, String(index)]);
        const sub = h("div", { class: "cl-equipment", "data-pointer": unitPointer, "data-equipment-id": piece.id }, [
          h("div", { class: "cl-equipment-name" }, [
            h("i", { class: "fa fa-cog", "aria-hidden": "true" }),
            " ",
            h("strong", { text: piece.name }),
            h("span", { class: "text-muted small", text: "（" + typeLabel + (this.preview ? "" : "，台账编号 " + piece.id) + "）" }),
          ]),
          h("div", { class: "cl-error cl-unit-error", hidden: true, role: "alert" }),
        ]);
        this.pointers.set(unitPointer, sub);
        this.pointers.set(pointer([itemId, String(index), "equipment_id"]), sub);
        card.appendChild(sub);
        item.units.push(this.renderUnit(group, itemId, index, piece, sub));
      });
    } else {
      const unit = this.renderUnit(group, itemId, null, null, card);
      item.units.push(unit);
      this.plainUnits[itemId] = unit;
    }
    this.items.push(item);
    return card;
  };

  ChecklistForm.prototype.renderBasis = function (o) {
    const legal = (o.legal_basis || []).map((b) => h("li", { text: [b.law, b.article, b.clause, b.item].filter(Boolean).join("") }));
    const p = o.penalty_basis || {};
    const labels = this.data.measure_labels || {};
    const measures = (p.measures || []).map((m) => labels[m] || m).join("、");
    const fine = fineText(p.fine);
    return h("details", { class: "cl-details cl-basis" }, [
      h("summary", { text: "法律依据与处罚依据" }),
      h("div", { class: "cl-basis-label", text: "法律依据" }),
      h("ul", {}, legal),
      h("div", { class: "cl-basis-label", text: "处罚依据" }),
      h("p", { text: [p.law, p.article, p.clause, p.item].filter(Boolean).join("") }),
      measures ? h("p", { class: "small", text: "处理措施：" + measures + (fine ? "；罚款 " + fine : "") }) : null,
    ]);
  };

  ChecklistForm.prototype.renderUnit = function (group, itemId, index, equipment, container) {
    const unitParts = index === null ? [itemId] : [itemId, String(index)];
    const unit = { itemId: itemId, index: index, equipment: equipment, fields: [], answerField: null, element: container };
    (group.elements || []).forEach((control) => {
      const options = control.options || {};
      const role = options.role || "answer";
      const key = fieldKey(control.scope);
      const fieldPointer = pointer(unitParts.concat(key));
      const labelId = nextName() + "-label";
      let caption = control.label || "";
      if (role === "evidence" && options.min) caption += "（至少 " + options.min + (options.kind === "photo" ? " 张）" : " 份）");
      else if (role === "evidence" && caption.indexOf("可选") < 0) caption += "（可选）";
      const widget =
        role === "evidence"
          ? this.evidenceWidget(options, labelId)
          : answerWidget(resolveScope(this.data.answers_schema || {}, control.scope), control, labelId);
      const wrapper = h("div", { class: "cl-field cl-role-" + role, "data-pointer": fieldPointer, "data-key": key.join(".") }, [
        h("div", { class: "cl-label", id: labelId, text: caption }),
        widget.node,
        h("div", { class: "cl-error", hidden: true, role: "alert" }),
      ]);
      const field = { key: key, role: role, rule: control.rule || null, widget: widget, wrapper: wrapper, visible: true };
      if (role === "answer") unit.answerField = field;
      unit.fields.push(field);
      this.pointers.set(fieldPointer, wrapper);
      container.appendChild(wrapper);
    });
    return unit;
  };

  ChecklistForm.prototype.evidenceWidget = function (options, labelId) {
    const form = this;
    const shas = [];
    const photo = options.kind === "photo";
    const input = h("input", {
      type: "file",
      class: "form-control cl-file",
      accept: photo ? "image/*" : "image/*,application/pdf,.pdf",
      capture: photo ? "environment" : null,
      multiple: true,
      disabled: this.preview,
      "aria-labelledby": labelId,
      "data-kind": options.kind,
    });
    const thumbs = h("div", { class: "cl-thumbs" });
    const status = h("div", { class: "cl-upload-status small", "aria-live": "polite" });
    const hint = this.preview ? h("div", { class: "text-muted small", text: "预览时不上传文件" }) : null;
    // The native input (its button text follows the browser's language) lies invisibly over our own.
    const button = h("label", { class: "btn btn-default cl-file-button" }, [
      h("i", { class: photo ? "fa fa-camera" : "fa fa-paperclip", "aria-hidden": "true" }),
      photo ? " 拍照或选择照片" : " 选择文件（图片或 PDF）",
      input,
    ]);
    const node = h("div", { class: "cl-evidence" }, [button, hint, status, thumbs]);

    function draw() {
      thumbs.textContent = "";
      shas.forEach(function (sha, index) {
        const url = form.data.evidence_file_url + sha;
        const remove = h("button", { type: "button", class: "btn btn-default btn-sm cl-remove", "aria-label": "删除此文件" }, [
          h("i", { class: "fa fa-trash", "aria-hidden": "true" }),
          " 删除",
        ]);
        remove.addEventListener("click", function () {
          shas.splice(shas.indexOf(sha), 1);
          draw();
          form.refresh();
        });
        const preview = photo
          ? h("img", { src: url, alt: "现场照片", class: "cl-thumb-img", loading: "lazy" })
          : h("a", { href: url, target: "_blank", rel: "noopener", class: "cl-doc" }, [h("i", { class: "fa fa-file-o" }), " " + (fileNames[sha] || "附件 " + (index + 1))]);
        thumbs.appendChild(h("div", { class: "cl-thumb", "data-sha": sha }, [preview, remove]));
      });
      input.disabled = form.preview || form.done || (options.max ? shas.length >= options.max : false);
      button.classList.toggle("disabled", input.disabled);
    }

    async function upload(file) {
      if (file.size > form.data.evidence_max_bytes) {
        status.className = "cl-upload-status small text-danger";
        status.textContent = file.name + "：文件超过 " + form.data.evidence_max_bytes / 1048576 + " MB，请压缩后重新上传";
        return;
      }
      status.className = "cl-upload-status small text-muted";
      status.textContent = "正在上传 " + file.name + " …";
      const body = new FormData();
      body.append("file", file);
      body.append("enterprise_id", String(form.data.enterprise_id));
      let response;
      let payload = {};
      try {
        response = await fetch(form.data.evidence_url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": form.csrf, Accept: "application/json" },
        });
        payload = await response.json().catch(() => ({}));
      } catch (error) {
        status.className = "cl-upload-status small text-danger";
        status.textContent = "网络连接失败，请稍后重试上传";
        return;
      }
      if (!response.ok || !payload.sha256) {
        status.className = "cl-upload-status small text-danger";
        status.textContent =
          payload.message || (response.ok ? "登录已过期，请刷新页面重新登录后再上传" : "上传失败（HTTP " + response.status + "）");
        return;
      }
      if (shas.indexOf(payload.sha256) < 0) shas.push(payload.sha256);
      fileNames[payload.sha256] = file.name; // shown by its name, not by its checksum
      status.className = "cl-upload-status small text-success";
      status.textContent = "已上传 " + file.name;
      draw();
      form.refresh();
    }

    button.classList.toggle("disabled", input.disabled);
    input.addEventListener("change", async function () {
      const files = Array.from(input.files || []);
      input.value = "";
      for (const file of files) await upload(file);
    });

    return {
      node: node,
      get: () => shas.slice(),
      set(value) {
        shas.length = 0;
        (Array.isArray(value) ? value : []).forEach((sha) => shas.push(sha));
        draw();
      },
    };
  };

  ChecklistForm.prototype.answerOf = function (unit) {
    return unit && unit.answerField ? unit.answerField.widget.get() : undefined;
  };

  /*
   * A rule on this unit's own answer, a plain item's answer (also from inside a repeat), or another
   * per-equipment item's pieces: any / all (at least one piece) / count within minimum..maximum,
   * as the server's compiled answers schema says.
   */
  ChecklistForm.prototype.ruleHolds = function (rule, unit) {
    const condition = rule.condition || {};
    const schema = condition.schema || {};
    const target = itemOfScope(condition.scope || "");
    if (target === unit.itemId) return matches(schema, this.answerOf(unit));
    if (!condition.match) return matches(schema, this.answerOf(this.plainUnits[target]));
    const item = this.items.find((i) => i.id === target);
    const units = item ? item.units : [];
    const hits = units.filter((u) => matches(schema, this.answerOf(u))).length;
    if (condition.match === "all") return units.length > 0 && hits === units.length;
    if (condition.match === "count") {
      const count = condition.count || {};
      return hits >= (count.minimum || 0) && (count.maximum === undefined || hits <= count.maximum);
    }
    return hits > 0;
  };

  /* Show or hide every conditional field, mark answered units, count progress. */
  ChecklistForm.prototype.refresh = function () {
    let answered = 0;
    let total = 0;
    this.items.forEach((item) => {
      if (item.repeat) {
        const done = item.units.length > 0 && item.units.every((unit) => this.answerOf(unit) !== undefined);
        item.card.classList.toggle("cl-answered", done || item.units.length === 0);
      }
      item.units.forEach((unit) => {
        unit.fields.forEach((field) => {
          field.visible = !field.rule || SHOW(field.rule, this.ruleHolds(field.rule, unit));
          field.wrapper.hidden = !field.visible;
        });
        const value = this.answerOf(unit);
        total += 1;
        if (value !== undefined) answered += 1;
        const element = unit.equipment ? unit.element : item.card;
        element.classList.toggle("cl-answered", value !== undefined);
        element.classList.toggle("cl-failed", value === "non_compliant" || value === false);
      });
    });
    if (this.progress) this.progress.textContent = "已作答 " + answered + " / " + total;
  };

  ChecklistForm.prototype.unitAnswers = function (unit) {
    const out = {};
    if (unit.equipment) out.equipment_id = unit.equipment.id;
    unit.fields.forEach(function (field) {
      if (!field.visible) return;
      const value = field.widget.get();
      if (field.role === "evidence") {
        out.evidence = out.evidence || {};
        out.evidence[field.key[1]] = value;
      } else if (value !== undefined) {
        out[field.key[0]] = value;
      }
    });
    return out;
  };

  /* Every item is sent (unanswered ones as {} or {equipment_id}) so errors point at real fields. */
  ChecklistForm.prototype.answers = function () {
    const answers = {};
    this.items.forEach((item) => {
      answers[item.id] = item.repeat ? item.units.map((u) => this.unitAnswers(u)) : this.unitAnswers(item.units[0]);
    });
    return answers;
  };

  ChecklistForm.prototype.prefill = function (answers) {
    const fill = function (unit, given) {
      if (!given || typeof given !== "object") return;
      unit.fields.forEach(function (field) {
        const value = field.role === "evidence" ? (given.evidence || {})[field.key[1]] : given[field.key[0]];
        if (value !== undefined) field.widget.set(value);
      });
    };
    this.items.forEach(function (item) {
      const given = answers[item.id];
      if (item.repeat) {
        const list = Array.isArray(given) ? given : [];
        item.units.forEach((unit) => fill(unit, list.find((entry) => entry && entry.equipment_id === unit.equipment.id)));
      } else {
        fill(item.units[0], given);
      }
    });
  };

  ChecklistForm.prototype.renderActions = function () {
    this.progress = h("div", { class: "cl-progress small", "aria-live": "polite" });
    this.saveButton = h("button", { type: "button", class: "btn btn-default cl-save", id: "cl-save" }, [
      h("i", { class: "fa fa-floppy-o", "aria-hidden": "true" }),
      " 保存草稿",
    ]);
    this.submitButton = h("button", { type: "button", class: "btn btn-primary cl-submit", id: "cl-submit" }, [
      h("i", { class: "fa fa-check", "aria-hidden": "true" }),
      " 提交检查结果",
    ]);
    this.saveButton.addEventListener("click", () => this.send(false));
    this.submitButton.addEventListener("click", () => this.send(true));
    this.actions = h("div", { class: "cl-actions" }, [this.progress, h("div", { class: "cl-buttons" }, [this.saveButton, this.submitButton])]);
    return this.actions;
  };

  ChecklistForm.prototype.notice = function (kind, text, extra) {
    this.summary.textContent = "";
    this.summary.appendChild(h("div", { class: "alert alert-" + kind + " cl-notice", role: kind === "danger" ? "alert" : "status" }, [text].concat(extra || [])));
  };

  ChecklistForm.prototype.clearErrors = function () {
    this.root.querySelectorAll(".cl-has-error").forEach((node) => node.classList.remove("cl-has-error"));
    this.root.querySelectorAll(".cl-error").forEach(function (node) {
      node.textContent = "";
      node.hidden = true;
    });
    this.summary.textContent = "";
  };

  const isShown = (node) => node && !node.closest("[hidden]");

  /* The element that shows an error: the field itself, else a visible field below it, else an ancestor. */
  ChecklistForm.prototype.placeOf = function (path) {
    const exact = this.pointers.get(path);
    if (isShown(exact)) return exact;
    for (const [key, node] of this.pointers) {
      if (key.startsWith(path + "/") && isShown(node) && node.classList.contains("cl-field")) return node;
    }
    let parent = path;
    while (parent.lastIndexOf("/") > 0) {
      parent = parent.slice(0, parent.lastIndexOf("/"));
      const node = this.pointers.get(parent);
      if (isShown(node)) return node;
    }
    return null;
  };

  ChecklistForm.prototype.describe = function (path) {
    const parts = path.split("/").slice(1).map(unescapeToken);
    const item = this.items.find((i) => i.id === parts[0]);
    return item ? item.group.label + (parts.length > 1 ? "（" + parts.slice(1).join(" / ") + "）" : "") : path || "/";
  };

  ChecklistForm.prototype.showErrors = function (errors) {
    this.clearErrors();
    const unplaced = [];
    let first = null;
    errors.forEach((error) => {
      const path = error.path || "/";
      const place = path === "/" ? null : this.placeOf(path);
      if (!place) {
        unplaced.push(error);
        return;
      }
      place.classList.add("cl-has-error");
      const box = Array.from(place.children).find((c) => c.classList.contains("cl-error"));
      if (box) {
        box.hidden = false;
        box.appendChild(h("div", { class: "cl-error-message", "data-path": path, text: error.message }));
      }
      if (!first) first = place;
    });
    const list = unplaced.length
      ? h(
          "ul",
          { class: "cl-summary-list" },
          unplaced.map((e) => h("li", { "data-path": e.path || "/" }, [e.path && e.path !== "/" ? this.describe(e.path) + "：" : "", e.message]))
        )
      : null;
    const cards = this.items.filter((item) => item.card.classList.contains("cl-has-error") || item.card.querySelector(".cl-has-error"));
    const jumps = cards.length
      ? h(
          "div",
          { class: "cl-jumps" },
          ["需要补充："].concat(
            cards.map((item) => h("a", { href: "#" + item.card.id, class: "cl-jump" }, [item.group.options.code || item.group.label]))
          )
        )
      : null;
    this.notice("danger", "提交未通过：共 " + errors.length + " 处需要补充或更正" + (errors.length > unplaced.length ? "，已在对应位置用红色标出。" : "。"), [jumps, list]);
    (first || this.summary).scrollIntoView({ behavior: "smooth", block: "center" });
  };

  ChecklistForm.prototype.busy = function (on) {
    [this.saveButton, this.submitButton].forEach((b) => {
      if (b) b.disabled = on || this.done;
    });
  };

  ChecklistForm.prototype.send = async function (submit) {
    this.busy(true);
    const body = { enterprise_id: this.data.enterprise_id, answers: this.answers(), submit: submit };
    let response;
    let payload = {};
    try {
      response = await fetch(this.data.api_url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": this.csrf },
        body: JSON.stringify(body),
      });
      payload = await response.json().catch(() => ({}));
    } catch (error) {
      this.notice("danger", "网络连接失败：填写的内容仍保留在本页，请稍后重试。");
      this.busy(false);
      return;
    }
    if (response.status === 201) {
      this.clearErrors();
      if (submit) this.showSubmitted(payload);
      else this.notice("success", "草稿已保存（" + new Date().toLocaleTimeString("zh-CN") + "），可稍后继续填写。");
      if (payload.schema_hash && payload.schema_hash !== this.data.schema_hash) {
        this.summary.appendChild(h("div", { class: "alert alert-warning", text: "该检查表已发布新版本，请刷新页面后使用新版本。" }));
      }
    } else if (response.status === 422 && Array.isArray(payload.errors)) {
      this.showErrors(payload.errors);
    } else if (response.status === 401 || response.status === 403) {
      this.notice("danger", "登录已过期或没有权限：请在新窗口重新登录后再提交（本页内容不会丢失）。");
    } else {
      const message = (payload.errors && payload.errors[0] && payload.errors[0].message) || payload.message || "";
      this.notice("danger", "保存失败（HTTP " + response.status + "）" + (message ? "：" + message : ""));
    }
    this.busy(false);
  };

  ChecklistForm.prototype.equipmentName = function (id) {
    const piece = (this.data.equipment || []).find((e) => e.id === id);
    return piece ? piece.name : "";
  };

  ChecklistForm.prototype.showSubmitted = function (payload) {
    this.done = true;
    this.root.classList.add("cl-done");
    this.root.querySelectorAll("input, textarea, .cl-remove").forEach((node) => {
      node.disabled = true;
    });
    this.root.querySelectorAll(".cl-file-button").forEach((node) => node.classList.add("disabled"));
    if (this.actions) this.actions.hidden = true;
    this.root.classList.remove("cl-has-actions");
    const suggestions = payload.suggestions || [];
    const cards = suggestions.map((s) => {
      const equipment = s.equipment_id ? this.equipmentName(s.equipment_id) : "";
      const fine = fineText(s.fine);
      return h("li", { class: "cl-suggestion", "data-item": s.item_id }, [
        h("strong", { text: s.title + (equipment ? "（" + equipment + "）" : "") }),
        h("div", { text: "建议措施：" + (s.measure_labels || s.measures || []).join("、") }),
        fine ? h("div", { text: "罚款幅度：" + fine }) : null,
        s.basis ? h("div", { class: "small text-muted", text: "处罚依据：" + s.basis }) : null,
      ]);
    });
    const note = suggestions.length && suggestions[0].note ? h("p", { class: "small text-muted", text: suggestions[0].note }) : null;
    this.summary.textContent = "";
    this.summary.appendChild(
      h("div", { class: "panel panel-success cl-result", id: "cl-result" }, [
        h("div", { class: "panel-heading" }, [h("strong", { text: "检查结果已提交" }), " · 记录编号 " + payload.id]),
        h("div", { class: "panel-body" }, [
          h("p", { class: "small text-muted", text: "版本 " + (payload.plugin_version || this.data.version) }),
          suggestions.length
            ? h("div", {}, [
                h("h4", { text: "发现问题 " + suggestions.length + " 处，建议的处理措施：" }),
                h("ol", { class: "cl-suggestions" }, cards),
                note,
              ])
            : h("p", { class: "cl-all-ok", text: "全部符合或不适用，未发现问题隐患。" }),
          h("a", { class: "btn btn-default", href: window.location.href }, ["重新检查"]),
        ]),
      ])
    );
    this.summary.scrollIntoView({ behavior: "smooth", block: "start" });
  };

  // ---------------------------------------------------------------------------------------------
  // 检查事项 overview: filter the items table as the user types (the server filters ?q= the same way)

  function initItemSearch() {
    const box = document.getElementById("checklist-item-search");
    const table = document.getElementById("checklist-items");
    if (!box || !table) return;
    const rows = Array.from(table.querySelectorAll("tr.item-row"));
    const count = document.getElementById("item-count-visible");
    const exportLink = document.getElementById("export-xlsx");
    const apply = function () {
      const query = box.value.trim();
      const parts = query.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      rows.forEach(function (row) {
        const haystack = row.getAttribute("data-search") || "";
        const show = parts.every((part) => haystack.indexOf(part) >= 0);
        row.hidden = !show;
        if (show) shown += 1;
      });
      if (count) count.textContent = String(shown);
      if (exportLink) exportLink.href = exportLink.getAttribute("data-base") + (query ? "?q=" + encodeURIComponent(query) : "");
    };
    box.addEventListener("input", apply);
  }

  function init() {
    initItemSearch();
    const root = document.getElementById("checklist-form");
    const source = document.getElementById("checklist-data");
    if (!root || !source) return;
    let data;
    try {
      data = JSON.parse(source.textContent);
    } catch (error) {
      root.textContent = "检查表数据无法读取，请刷新页面。";
      return;
    }
    const form = new ChecklistForm(root, data);
    form.render();
    root.checklistForm = form;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
