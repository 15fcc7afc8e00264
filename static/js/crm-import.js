// Lead import: show upload progress for large files, and a working indicator while the
// server checks and imports every line. Without JavaScript the forms post as usual.
(function () {
  var upload = document.getElementById("import-upload");
  if (upload && window.FormData && window.XMLHttpRequest) {
    upload.addEventListener("submit", function (event) {
      var file = upload.querySelector("input[type=file]");
      if (!file || !file.files.length) { return; }
      event.preventDefault();
      var bar = document.getElementById("upload-progress");
      bar.classList.remove("d-none");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", upload.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      xhr.addEventListener("load", function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.send(new FormData(upload));
    });
  }
  var confirm = document.getElementById("import-confirm");
  if (confirm) {
    confirm.addEventListener("submit", function () {
      document.getElementById("import-working").classList.remove("d-none");
      confirm.querySelector("button[type=submit]").disabled = true;
    });
  }
})();
