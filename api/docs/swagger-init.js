// Starts Swagger UI on this API's OpenAPI document. A file of its own, served from this origin,
// so that the docs page runs under a Content-Security-Policy that allows no inline script.
"use strict";
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the default sends the document to a validator on another host
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
