// Passkeys and security keys (WebAuthn) for Dorp: a form marked data-ceremony="create" (add a
// key) or "get" (sign in with one) asks the server for options, lets the browser talk to the
// key, puts the answer in the form's hidden "credential" field and posts the form as usual.
// Without JavaScript or WebAuthn the forms stay hidden and the page offers codes instead.
(function () {
  "use strict";

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return options;
  }

  function answer(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = r.userHandle ? toText(r.userHandle) : null;
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null
    });
  }

  function setUp(form) {
    var box = form.parentElement;
    var problem = box.querySelector(".dorp-webauthn-problem");
    var missing = box.querySelector(".dorp-webauthn-missing");
    if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) { return; }
    form.hidden = false;
    if (missing) { missing.hidden = true; }
    var token = form.querySelector("input[name=csrf_token]").value;
    var creating = form.dataset.ceremony === "create";
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) { return; }  // the answer is in: post the form itself
      event.preventDefault();
      if (problem) { problem.hidden = true; }
      fetch(form.dataset.optionsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token, "Accept": "application/json" }
      }).then(function (reply) {
        if (!reply.ok) { throw new Error("options " + reply.status); }
        return reply.json();
      }).then(function (options) {
        return creating
          ? navigator.credentials.create({ publicKey: creationOptions(options) })
          : navigator.credentials.get({ publicKey: requestOptions(options) });
      }).then(function (credential) {
        form.querySelector("input[name=credential]").value = answer(credential);
        sending = true;
        form.submit();
      }).catch(function () {
        if (problem) { problem.hidden = false; }
      });
    });
  }

  document.querySelectorAll("form[data-ceremony]").forEach(setUp);
})();
