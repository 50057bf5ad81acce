// Times as HDFS's shell prints them: `ls` in local time to the minute, `stat` in UTC to
// the second, dfsadmin/fsck like Java's Date.toString().
const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `ls`: `2026-11-21 15:13`, local time. */
export function listingTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `stat`'s %y: `2026-11-21 15:13:05`, UTC as Hadoop's Stat prints it. */
export function statTime(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

const dayNames = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Java's Date.toString(): `Sat Nov 21 15:13:05 UTC 2026`, local time. */
export function javaDate(epochMs: number): string {
  const date = new Date(epochMs);
  const zone = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return `${dayNames[date.getDay()]} ${monthNames[date.getMonth()]} ${pad(date.getDate())} ${clock} ${zone} ${date.getFullYear()}`;
}
