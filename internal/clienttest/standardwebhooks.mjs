// Verifies captured paypage webhooks with the official Standard Webhooks
// library for Node (npm standardwebhooks), as a merchant's receiver would.
//
//   node standardwebhooks.mjs CASES.json
//
// CASES.json is {"cases": [{"name", "secret", "headers": {name: value},
// "body_base64"}]}; the secret is passed exactly as paypage printed it.
// Prints {"version", "results": [{"name", "ok", "error"}]} as JSON and
// exits 0, leaving the judgement to the Go test.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { Webhook } = require("standardwebhooks");
const { version } = require("standardwebhooks/package.json");

const { cases } = JSON.parse(readFileSync(process.argv[2], "utf8"));
const results = cases.map(({ name, secret, headers, body_base64 }) => {
  try {
    new Webhook(secret).verify(Buffer.from(body_base64, "base64"), headers);
    return { name, ok: true, error: "" };
  } catch (e) {
    return { name, ok: false, error: String(e && e.message ? e.message : e) };
  }
});
process.stdout.write(JSON.stringify({ version, results }));
