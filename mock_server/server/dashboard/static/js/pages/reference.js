// API reference: the spec rendered by Swagger UI, shipped with the mock (nothing is fetched
// from elsewhere). "Try it out" sends to this mock, with a key typed in Authorize.

import { loadSpec } from "../api.js";
import { h, notice, replace } from "../dom.js";
import { header } from "./common.js";

const VENDOR = "/dashboard/static/vendor/swagger-ui";
let loading = null;

function loadSwaggerUi() {
  loading ||= new Promise((resolve, reject) => {
    document.head.append(h("link", { rel: "stylesheet", href: `${VENDOR}/swagger-ui.css` }));
    const script = h("script", { src: `${VENDOR}/swagger-ui-bundle.js` });
    script.addEventListener("load", () => resolve(window.SwaggerUIBundle));
    script.addEventListener("error", () => reject(new Error("Swagger UI did not load.")));
    document.head.append(script);
  });
  return loading;
}

export async function render(view, ctx) {
  const host = h("div", { class: "swagger-host", id: "swagger-ui" }, h("p", { class: "muted" }, "Loading the spec…"));
  view.append(
    ...header("API reference"),
    h(
      "p",
      { class: "lede" },
      "The OpenAPI spec the mock is built from, also served raw at ",
      h("a", { href: "/openapi.yaml", target: "_blank" }, "/openapi.yaml"),
      " and ",
      h("a", { href: "/openapi.json", target: "_blank" }, "/openapi.json"),
      ". To send requests, the ",
      h("a", { href: "/dashboard/playground" }, "Playground"),
      " runs them as the selected key.",
    ),
    host,
  );
  draw(host).catch((error) => replace(host, notice(error.message, "error"))); // after the page shows: a large script
}

async function draw(host) {
  const [SwaggerUIBundle, spec] = await Promise.all([loadSwaggerUi(), loadSpec()]);
  const { servers, ...served } = spec; // without servers, "Try it out" sends to this mock
  SwaggerUIBundle({
    domNode: host,
    spec: served,
    validatorUrl: null, // the default badge asks a validator on the internet
    deepLinking: false,
    docExpansion: "list",
    defaultModelsExpandDepth: -1,
    tryItOutEnabled: false,
  });
}
