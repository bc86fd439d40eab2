// Parse API Blueprint files with drafter.js; print, per file, the number of actions and every
// warning or error drafter reports (with the text it points at).
"use strict";
const fs = require("fs");
const drafter = require(process.argv[2]);
const report = {};
for (const file of process.argv.slice(3)) {
  const source = fs.readFileSync(file, "utf8");
  const result = drafter.parseSync(source, { requireBlueprintName: true });
  let actions = 0;
  const walk = (node) => {
    if (!node || typeof node !== "object") return;
    if (node.element === "transition") actions++;
    if (Array.isArray(node.content)) node.content.forEach(walk);
    else if (node.content && typeof node.content === "object") walk(node.content);
  };
  walk(result);
  const annotations = (result.content || []).filter((e) => e.element === "annotation").map((a) => {
    let at = "";
    try {
      const span = a.attributes.sourceMap.content[0].content[0].content;
      at = source.substr(span[0].content, Math.min(span[1].content, 80));
    } catch (err) { at = ""; }
    return { message: a.content, at };
  });
  report[file] = { actions, annotations };
}
process.stdout.write(JSON.stringify(report));
