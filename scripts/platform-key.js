/**
 * napi's platform key of this host (linux-x64-gnu, linux-x64-musl, darwin-arm64, win32-x64-msvc…):
 * the suffix of the platform package and of the `.node` file. Shared by the release scripts; the
 * library's own loader has the same rule in nest/native-load-error.ts.
 */
function platformKey() {
  const { platform, arch } = process;
  if (platform === 'linux') {
    const glibc = Boolean(process.report?.getReport()?.header?.glibcVersionRuntime);
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  }
  if (platform === 'win32') return `win32-${arch}-msvc`;
  return `${platform}-${arch}`;
}

module.exports = { platformKey };
