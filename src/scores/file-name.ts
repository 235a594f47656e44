// A set's scores file name (the CLI's --scores-out and the app's Export scores): its name with
// anything but letters, digits, `.`, `_`, `-` as `_`, no leading dot.
export function scoresFileName(set: string): string {
  return `${set.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_'}.safetensors`;
}
