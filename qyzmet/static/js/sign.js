/*
 * Signing in the browser with the applicant's PKCS#12 key file; the private key never leaves it.
 *
 * What is made is what NCALayer makes: a detached CMS (PKCS#7) SignedData over the exact bytes,
 * SHA-256 with RSA, the signed attributes content type, signing time and message digest, and the
 * signer's certificate embedded (node-forge's forge.pkcs7.createSignedData()). It is posted as
 * base64 of its DER; the server verifies it in qyzmet/pki/verify.py (and any CMS tool can:
 * `openssl cms -verify -binary -inform DER -content <bytes> ...`).
 *
 * A form with data-sign="request" signs the canonical request text the server put in the page
 * (<script id="canonical-request" type="application/json">) and posts the signed envelope
 *   {"request": <the request>, "signature": <base64 CMS>}
 * in the hidden field "envelope", as qyzmet/pki/signing.py builds it. The server hands out the
 * canonical text, so nothing is re-canonicalised here: the bytes signed are its UTF-8.
 * A form with data-sign="challenge" signs the EDS sign-in challenge (#eds-challenge) and posts
 * the base64 CMS alone in the field "signature".
 * The same script signs an official's decision in the back office: a form with data-sign="request"
 * that holds its own text (<script class="signed-text" type="application/json"> inside the form,
 * one per form when a page has several) signs that text and posts the envelope the same way.
 *
 * The key file is read with FileReader and opened with forge (PKCS#12, PBES2/AES as the test
 * certification centre issues them).
 */
(function () {
  "use strict";

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

  /* A detached CMS SignedData over `data` (bytes), base64 of its DER. The attributes are in
     the order DER sorts them (by their encoding), so a verifier that re-encodes them (OpenSSL)
     checks the same bytes forge signed. */
  function signCms(opened, data) {
    var oids = forge.pki.oids;
    var p7 = forge.pkcs7.createSignedData();
    p7.content = forge.util.createBuffer(binaryString(data));
    p7.addCertificate(opened.certificate);
    p7.addSigner({
      key: opened.key,
      certificate: opened.certificate,
      digestAlgorithm: oids.sha256,
      authenticatedAttributes: [
        { type: oids.contentType, value: oids.data },
        { type: oids.signingTime, value: new Date() },
        { type: oids.messageDigest }  // forge fills in the SHA-256 of the content
      ]
    });
    p7.sign({ detached: true });
    return forge.util.encode64(forge.asn1.toDer(p7.toAsn1()).getBytes());
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
      var source = form.querySelector("script.signed-text") ||
        document.getElementById(kind === "request" ? "canonical-request" : "eds-challenge");
      var text = JSON.parse(source.textContent);
      readFile(file)
        .then(function (buffer) {
          var opened = openKeyFile(buffer, passwordInput.value, messages);
          passwordInput.value = "";  // not posted, and not kept on the page
          return signCms(opened, new TextEncoder().encode(text));
        })
        .then(function (signature) {
          if (kind === "request") {
            form.elements.envelope.value = JSON.stringify({ request: JSON.parse(text), signature: signature });
          } else {
            form.elements.signature.value = signature;
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
