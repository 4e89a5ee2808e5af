// Everything a filter module must export. A filter's entry file needs exactly one line for it:
//   export * from "<path>/assembly/sdk/exports";
// AssemblyScript exports only what the entry file exports, so the callbacks (abi/exports.ts) are
// re-exported here; importing ./abort puts the abort handler named in asconfig.base.json into the
// program.
import "./abort";
export * from "../abi/exports";
