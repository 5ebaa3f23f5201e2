// 电子签名: a signature_pad on the canvas of the sign page; the PNG goes with the form as a data URL.
(function () {
  "use strict";
  var canvas = document.getElementById("sign-pad");
  var form = document.getElementById("sign-form");
  if (!canvas || !form || typeof SignaturePad === "undefined") {
    return;
  }
  var pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: "#000" });

  // The canvas's pixels follow its CSS size and the screen's density (sharp on a phone); a resize
  // clears it, as signature_pad's own docs advise.
  var fitted = 0;
  function fit() {
    // A phone fires resize when its address bar slides away while scrolling: keep the ink then.
    if (canvas.offsetWidth === fitted) {
      return;
    }
    fitted = canvas.offsetWidth;
    var ratio = Math.max(window.devicePixelRatio || 1, 1);
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
  }
  window.addEventListener("resize", fit);
  fit();

  // A stroke answers the "please sign" note left by an empty save.
  pad.addEventListener("endStroke", function () {
    var note = document.getElementById("sign-error");
    if (note && note.textContent === "请在框内签名后再保存") {
      note.textContent = "";
      canvas.parentNode.parentNode.classList.remove("has-error");
    }
  });
  document.getElementById("sign-clear").addEventListener("click", function () {
    pad.clear();
  });
  form.addEventListener("submit", function (event) {
    if (pad.isEmpty()) {
      event.preventDefault();
      var wrap = canvas.parentNode;
      var note = document.getElementById("sign-error");
      if (!note) {
        note = document.createElement("span");
        note.id = "sign-error";
        note.className = "help-block";
        wrap.parentNode.appendChild(note);
      }
      wrap.parentNode.classList.add("has-error");
      note.textContent = "请在框内签名后再保存";
      return;
    }
    document.getElementById("sign-image").value = pad.toDataURL("image/png");
  });
})();
