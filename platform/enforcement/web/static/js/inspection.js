/*
 * 现场检查 page: the generated checklist form (checklist-form.js draws it) saves into the inspection
 * instead of a bare answer set, carrying the inspection's version (optimistic lock): a save over a
 * colleague's newer version answers 409 and the page says so, nothing is overwritten. Also: autosave,
 * the on-site participants, and the device's location when the browser gives it (optional).
 *
 * Plain ES2017, no library, no inline handlers (CSP).
 */
(function () {
  "use strict";

  const AUTOSAVE_MS = 20000;

  function init() {
    const page = document.getElementById("inspection-page");
    if (!page) return;
    const editable = page.getAttribute("data-editable") === "1";
    const csrf = page.getAttribute("data-csrf") || "";
    const metaUrl = page.getAttribute("data-meta-url");
    const status = document.getElementById("wb-status");
    const versionLabel = document.getElementById("wb-version");
    const finishVersion = document.getElementById("finish-version");
    let version = parseInt(page.getAttribute("data-version"), 10);
    let conflict = false;

    function setVersion(value) {
      if (typeof value !== "number") return;
      version = value;
      page.setAttribute("data-version", String(value));
      if (versionLabel) versionLabel.textContent = "第 " + value + " 版";
      if (finishVersion) finishVersion.value = String(value);
    }

    function say(kind, text) {
      status.textContent = "";
      const box = document.createElement("div");
      box.className = "alert alert-" + kind;
      box.setAttribute("role", kind === "danger" ? "alert" : "status");
      box.textContent = text;
      status.appendChild(box);
    }

    function showConflict(payload) {
      conflict = true;
      say("danger", (payload && payload.message) || "该现场检查已被其他执法人员修改，请刷新页面后再保存。");
      status.scrollIntoView({ behavior: "smooth", block: "center" });
    }

    async function post(url, body) {
      const response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(Object.assign({ version: version }, body)),
      });
      const payload = await response.json().catch(() => ({}));
      return { response, payload };
    }

    // -- the checklist form: saves go to the inspection, with the version ----------------------------
    const root = document.getElementById("checklist-form");
    const form = root && root.checklistForm;
    let dirty = false;
    if (form && editable && !form.preview) {
      form.send = async function (submit, quiet) {
        if (conflict) {
          showConflict();
          return;
        }
        this.busy(true);
        let result;
        try {
          result = await post(this.data.api_url, { answers: this.answers(), submit: submit });
        } catch (error) {
          this.notice("danger", "网络连接失败：填写的内容仍保留在本页，请稍后重试。");
          this.busy(false);
          return;
        }
        const { response, payload } = result;
        setVersion(payload.version);
        if (response.status === 201) {
          dirty = false;
          this.clearErrors();
          if (submit) this.showSubmitted(payload);
          else if (!quiet) this.notice("success", "已保存（" + new Date().toLocaleTimeString("zh-CN") + "）。");
          else say("info", "已自动保存（" + new Date().toLocaleTimeString("zh-CN") + "）");
        } else if (response.status === 409) {
          showConflict(payload);
          this.notice("danger", payload.message || "该现场检查已被其他执法人员修改。");
        } else if (response.status === 422 && Array.isArray(payload.errors)) {
          dirty = false; // kept as a draft on the server
          this.showErrors(payload.errors);
        } else if (response.status === 401 || response.status === 403) {
          this.notice("danger", "登录已过期或没有权限：请在新窗口重新登录后再保存（本页内容不会丢失）。");
        } else {
          const message = (payload.errors && payload.errors[0] && payload.errors[0].message) || payload.message || "";
          this.notice("danger", "保存失败（HTTP " + response.status + "）" + (message ? "：" + message : ""));
        }
        this.busy(false);
      };
      root.addEventListener("change", () => {
        dirty = true;
      });
      window.setInterval(() => {
        if (dirty && !conflict && !form.done) form.send(false, true);
      }, AUTOSAVE_MS);
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden" && dirty && !conflict && !form.done) form.send(false, true);
      });
    }

    // -- participants ---------------------------------------------------------------------------------
    const list = document.getElementById("participants");
    const FIELDS = [
      ["name", "姓名"],
      ["position", "职务"],
      ["phone", "联系电话"],
    ];
    function addRow(person) {
      const row = document.createElement("div");
      row.className = "row wb-participant";
      FIELDS.forEach(function ([key, label]) {
        const cell = document.createElement("div");
        cell.className = "col-xs-12 col-sm-4 form-group";
        // A visible label: a placeholder disappears once the box is filled.
        const caption = document.createElement("label");
        caption.className = "small text-muted wb-participant-label";
        caption.textContent = label;
        cell.appendChild(caption);
        const input = document.createElement("input");
        input.className = "form-control";
        input.name = key;
        input.placeholder = label;
        input.setAttribute("aria-label", label);
        if (key === "phone") {
          input.type = "tel";
        }
        input.value = (person && person[key]) || "";
        input.disabled = !editable;
        cell.appendChild(input);
        row.appendChild(cell);
      });
      list.appendChild(row);
    }
    function participants() {
      return Array.from(list.querySelectorAll(".wb-participant"))
        .map((row) => {
          const person = {};
          FIELDS.forEach(([key]) => {
            person[key] = row.querySelector("input[name=" + key + "]").value.trim();
          });
          return person;
        })
        .filter((p) => p.name || p.position || p.phone);
    }
    async function saveMeta(body, done) {
      if (conflict) return showConflict();
      let result;
      try {
        result = await post(metaUrl, body);
      } catch (error) {
        say("danger", "网络连接失败，请稍后重试。");
        return;
      }
      const { response, payload } = result;
      if (response.status === 200) {
        setVersion(payload.version);
        done(payload);
      } else if (response.status === 409) showConflict(payload);
      else say("danger", (payload.errors || []).map((e) => e.message).join("；") || "保存失败（HTTP " + response.status + "）");
    }
    if (list) {
      let initial = [];
      try {
        initial = JSON.parse(list.getAttribute("data-initial") || "[]");
      } catch (error) {
        initial = [];
      }
      (initial.length ? initial : [{}]).forEach(addRow);
      const add = document.getElementById("participant-add");
      if (add) add.addEventListener("click", () => addRow({}));
      const save = document.getElementById("participants-save");
      if (save)
        save.addEventListener("click", () =>
          saveMeta({ participants: participants() }, () => say("success", "在场人员已保存。"))
        );
    }

    // -- location (optional: only when the device gives it) -------------------------------------------
    const locate = document.getElementById("locate");
    const where = document.getElementById("wb-location");
    function record(quiet) {
      if (!navigator.geolocation) {
        if (quiet !== true) say("warning", "此设备不支持定位，检查记录不含位置。");
        return;
      }
      navigator.geolocation.getCurrentPosition(
        (position) =>
          saveMeta({ latitude: position.coords.latitude, longitude: position.coords.longitude }, (payload) => {
            if (where) where.textContent = "位置：" + payload.location;
          }),
        () => {
          if (quiet !== true) say("warning", "未能获取位置（未授权或信号不佳），检查记录不含位置。");
        },
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 }
      );
    }
    if (locate) locate.addEventListener("click", () => record(false));
    // Recorded once, when the device gives it (optional: a refusal is not an error on site).
    if (editable && page.getAttribute("data-located") === "0") record(true);

    const finish = document.getElementById("finish-form");
    if (finish)
      finish.addEventListener("submit", () => {
        if (finishVersion) finishVersion.value = String(version);
      });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
