// One callback set of abi/exports.ts, for a filter entry file that picks its sets:
//   export * from "<path>/assembly/sdk/exports/bodies";
export * from "../../abi/exports/bodies";
