// as-pect: unit specs for the pure AssemblyScript code (assembly/lib, and SDK helpers that need no host).
// Each spec under tests/unit is compiled into its own module with as-pect.asconfig.json, which does not
// extend asconfig.base.json, so the proxy abort redirect stays out of test builds.
export default {
  entries: ["tests/unit/**/*.spec.ts"],
  include: ["tests/unit/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    // Specs only exercise code without host calls; a proxy_log stub lets SDK helpers that log link.
    const env = { memory, proxy_log: () => 0 };
    return instantiate(binary, createImports({ env }));
  },
  outputBinary: false,
};
