// Offline check of Kubernetes manifests, run by ManifestsTest: node validate.mjs <kustomization dir>...
//
// Renders each kustomization as kubectl apply -k would for what k8s/ uses (resources, directories
// as bases, JSON 6902 patches, labels), then checks every object two ways:
//  - against Kubernetes' OpenAPI schema (types, required fields, enums) with the validators that
//    kubernetes-models generates from it (and @kubernetes-models/prometheus-operator for the
//    Prometheus Operator's CRDs);
//  - for unknown fields (a typo such as "replica:" is dropped silently by the API server): each
//    object becomes a TypeScript object literal typed with the model's interface, and the
//    compiler's excess-property check reports any field the schema does not have.
// Prints one JSON document: the rendered objects, the configuration keys they set, and the errors; exits 1
// when there is an error.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import jsonpatch from "fast-json-patch";
import ts from "typescript";

const here = path.dirname(fileURLToPath(import.meta.url));
const errors = [];
const objects = [];

/** Where a kind's model lives: [module directory, or null when no schema ships for it]. */
function modelDir(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
  }
  if (apiVersion.includes(".") && !apiVersion.includes(".k8s.io/")) {
    return null; // a CRD whose schema no registry package ships (e.g. CloudNativePG's Cluster)
  }
  return "kubernetes-models/" + apiVersion;
}

function render(dir, seen = new Set()) {
  const file = path.join(dir, "kustomization.yaml");
  if (seen.has(file)) {
    errors.push(`${file}: included twice`);
    return [];
  }
  seen.add(file);
  const k = YAML.parse(fs.readFileSync(file, "utf8"));
  const out = [];
  const listed = new Set();
  for (const r of k.resources ?? []) {
    const p = path.resolve(dir, r);
    if (fs.statSync(p).isDirectory()) {
      out.push(...render(p, seen));
      continue;
    }
    listed.add(path.basename(p));
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(p, "utf8"))) {
      if (doc.errors.length) {
        errors.push(`${p}: ${doc.errors.map(e => e.message).join("; ")}`);
        continue;
      }
      const obj = doc.toJS();
      if (obj) {
        out.push({ source: path.relative(process.cwd(), p), obj });
      }
    }
  }
  for (const f of fs.readdirSync(dir)) {
    if (/\.ya?ml$/.test(f) && f !== "kustomization.yaml" && !listed.has(f)) {
      errors.push(`${path.join(dir, f)}: not listed in ${file}'s resources`);
    }
  }
  for (const p of k.patches ?? []) {
    const targets = out.filter(o => (!p.target.kind || o.obj.kind === p.target.kind)
      && (!p.target.name || o.obj.metadata?.name === p.target.name));
    if (targets.length === 0) {
      errors.push(`${file}: a patch matches no object (${JSON.stringify(p.target)})`);
    }
    for (const t of targets) {
      try {
        t.obj = jsonpatch.applyPatch(t.obj, YAML.parse(p.patch), true, false).newDocument;
      } catch (e) {
        errors.push(`${file}: patch of ${t.obj.kind}/${t.obj.metadata?.name} fails: ${e.message}`);
      }
    }
  }
  for (const l of k.labels ?? []) {
    for (const o of out) {
      o.obj.metadata = o.obj.metadata ?? {};
      o.obj.metadata.labels = { ...(o.obj.metadata.labels ?? {}), ...l.pairs };
    }
  }
  return out;
}

async function checkSchemas(rendered) {
  const sources = [];
  for (const [i, { source, obj }] of rendered.entries()) {
    const name = `${obj.kind}/${obj.metadata?.name}`;
    const dir = obj.apiVersion && modelDir(obj.apiVersion);
    const entry = { source, apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name, checked: "none", object: obj };
    objects.push(entry);
    if (!obj.apiVersion || !obj.kind) {
      errors.push(`${source}: an object without apiVersion or kind`);
      continue;
    }
    if (!dir) {
      continue;
    }
    let model;
    try {
      model = (await import(`${dir}/${obj.kind}`))[obj.kind];
    } catch (e) {
      errors.push(`${source}: ${name}: no such kind in ${obj.apiVersion} (${e.code ?? e.message})`);
      continue;
    }
    try {
      new model(obj).validate();
    } catch (e) {
      errors.push(`${source}: ${name}: ${e.message}`);
    }
    sources.push({ i, file: `object${i}.ts`, source, name,
      text: `import type { I${obj.kind} } from "${dir}/${obj.kind}";\nexport const o: I${obj.kind} = ${JSON.stringify(obj, null, 2)};\n` });
    entry.checked = "schema and unknown fields";
  }
  // Unknown fields: TypeScript's excess-property check over each object as a typed literal.
  const gen = fs.mkdtempSync(path.join(here, ".generated-"));
  try {
    for (const s of sources) {
      fs.writeFileSync(path.join(gen, s.file), s.text);
    }
    const program = ts.createProgram(sources.map(s => path.join(gen, s.file)), {
      noEmit: true, strict: true, skipLibCheck: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler,
    });
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const s = d.file && sources.find(x => path.basename(d.file.fileName) === x.file);
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      let where = "";
      if (d.file && d.start !== undefined) {
        // The JSON path of the offending field, from the generated literal's line.
        where = " at: " + d.file.text.split("\n")[d.file.getLineAndCharacterOfPosition(d.start).line].trim();
      }
      errors.push(`${s ? `${s.source}: ${s.name}` : "?"}: ${message}${where}`);
    }
  } finally {
    fs.rmSync(gen, { recursive: true, force: true });
  }
}

/** Configuration keys the manifests give Roster: ConfigMap and Secret keys, container env names. */
function configKeys(rendered) {
  const keys = new Set();
  for (const { obj } of rendered) {
    if (obj.kind === "ConfigMap" || obj.kind === "Secret") {
      Object.keys({ ...(obj.data ?? {}), ...(obj.stringData ?? {}) }).forEach(k => keys.add(k));
    }
    for (const c of obj.spec?.template?.spec?.containers ?? []) {
      const launch = JSON.stringify([...(c.command ?? []), ...(c.args ?? [])]);
      for (const e of c.env ?? []) {
        if (!launch.includes(`$(${e.name})`)) { // a variable only the launch command reads is not Roster's
          keys.add(e.name);
        }
      }
    }
  }
  return [...keys].sort();
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: node validate.mjs <kustomization dir>...");
  process.exit(2);
}
const all = [];
for (const d of dirs) {
  const rendered = render(path.resolve(d));
  await checkSchemas(rendered);
  all.push(...rendered);
}
console.log(JSON.stringify({ objects, configKeys: configKeys(all), errors }, null, 2));
process.exit(errors.length ? 1 : 0);
