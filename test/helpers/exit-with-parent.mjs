// Preloaded (node --import) into every `rapport serve` a test starts: the server exits when
// the test process that started it is gone (killed run, crashed worker), so no server of an
// earlier run is left holding memory, CPU or a port. It checks once a second.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(1);
}, 1000).unref();
