/*
 * Signing in the browser with the applicant's PKCS#12 key file; the private key never leaves it.
 *
 * A form with data-sign="request" signs the canonical request text the server put in the page
 * (<script id="canonical-request" type="application/json">) and posts the signed envelope
 *   {"request": <the request>, "signature": {"algorithm", "value", "certificate", "signed_at"}}
 * in the hidden field "envelope", exactly as qyzmet/pki/signing.py builds it. The server hands
 * out the canonical text, so nothing is re-canonicalised here: the bytes signed are its UTF-8.
 * A form with data-sign="challenge" signs the EDS sign-in challenge (#eds-challenge) and posts
 * the signature block alone in the field "signature".
 *
 * The key file is read with FileReader and opened with forge (PKCS#12, PBES2/AES as the test
 * certification centre issues them); the private key is exported as PKCS#8 and imported into
 * WebCrypto as RSASSA-PKCS1-v1_5 with SHA-256, which signs. Where WebCrypto is missing (a page
 * served over plain HTTP from another host) forge signs the same way.
 */
(function () {
  "use strict";

  var ALGORITHM = "RSASSA-PKCS1-v1_5-SHA256";

  function readFile(file) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(file);
    });
  }

  function binaryString(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      out += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return out;
  }

  function bytesOf(binary) {
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function Problem(message) { this.message = message; }

  /* The RSA key of the key file and the certificate that goes with it (same modulus). */
  function openKeyFile(buffer, password, messages) {
    var p12;
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(binaryString(buffer)), true, password);
    } catch (e) {
      throw new Problem(messages.password);
    }
    var oids = forge.pki.oids, keys = [];
    [oids.pkcs8ShroudedKeyBag, oids.keyBag].forEach(function (type) {
      (p12.getBags({ bagType: type })[type] || []).forEach(function (bag) { if (bag.key) { keys.push(bag.key); } });
    });
    var certificates = (p12.getBags({ bagType: oids.certBag })[oids.certBag] || [])
      .map(function (bag) { return bag.cert; }).filter(Boolean);
    for (var k = 0; k < keys.length; k++) {
      for (var c = 0; c < certificates.length; c++) {
        if (certificates[c].publicKey.n && certificates[c].publicKey.n.equals(keys[k].n)) {
          return { key: keys[k], certificate: certificates[c] };
        }
      }
    }
    throw new Problem(messages.noKey);
  }

  function base64(bytes) {
    return forge.util.encode64(typeof bytes === "string" ? bytes : binaryString(bytes));
  }

  function signBytes(key, data) {
    var subtle = window.crypto && window.crypto.subtle;
    if (!subtle) {
      var md = forge.md.sha256.create();
      md.update(binaryString(data));
      return Promise.resolve(base64(key.sign(md)));
    }
    var pkcs8 = forge.asn1.toDer(forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(key))).getBytes();
    var algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return subtle.importKey("pkcs8", bytesOf(pkcs8), algorithm, false, ["sign"])
      .then(function (cryptoKey) { return subtle.sign("RSASSA-PKCS1-v1_5", cryptoKey, data); })
      .then(function (signature) { return base64(new Uint8Array(signature)); });
  }

  function signatureBlock(opened, data) {
    var certificate = forge.asn1.toDer(forge.pki.certificateToAsn1(opened.certificate)).getBytes();
    return signBytes(opened.key, data).then(function (value) {
      return { algorithm: ALGORITHM, value: value, certificate: base64(certificate), signed_at: new Date().toISOString() };
    });
  }

  function messagesOf(form) {
    var d = form.dataset;
    return { noFile: d.msgNoFile, password: d.msgPassword, noKey: d.msgNoKey, noVendor: d.msgNoVendor,
             failed: d.msgFailed, working: d.msgWorking };
  }

  function attach(form) {
    var kind = form.dataset.sign;
    var fileInput = form.querySelector("input[type=file]");
    var passwordInput = form.querySelector("input[type=password]");
    var problem = form.querySelector(".sign-error");
    var button = form.querySelector("button[type=submit]");
    var messages = messagesOf(form);
    var label = button.textContent;

    function fail(message) {
      problem.textContent = message;
      problem.hidden = false;
      button.disabled = false;
      button.textContent = label;
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      problem.hidden = true;
      if (typeof forge === "undefined") { return fail(messages.noVendor); }
      var file = fileInput.files && fileInput.files[0];
      if (!file) { return fail(messages.noFile); }
      button.disabled = true;
      button.textContent = messages.working;
      var text = kind === "request"
        ? JSON.parse(document.getElementById("canonical-request").textContent)
        : JSON.parse(document.getElementById("eds-challenge").textContent);
      readFile(file)
        .then(function (buffer) {
          var opened = openKeyFile(buffer, passwordInput.value, messages);
          passwordInput.value = "";  // not posted, and not kept on the page
          return signatureBlock(opened, new TextEncoder().encode(text));
        })
        .then(function (block) {
          if (kind === "request") {
            form.elements.envelope.value = JSON.stringify({ request: JSON.parse(text), signature: block });
          } else {
            form.elements.signature.value = JSON.stringify(block);
          }
          form.submit();
        })
        .catch(function (error) {
          fail(error instanceof Problem ? error.message : messages.failed + " " + (error && error.message || ""));
        });
    });
  }

  document.querySelectorAll("form[data-sign]").forEach(attach);
})();
