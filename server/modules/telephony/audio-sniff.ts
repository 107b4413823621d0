/**
 * What an uploaded or fetched audio file really is, from its bytes (never the name or the type it
 * was sent with): MP3 (MPEG audio Layer III frames, after an optional ID3v2 tag) or WAV (RIFF/WAVE
 * with a `fmt ` and a `data` chunk) — the formats Twilio's `<Play>` takes. The duration is counted
 * from the MP3 frames or the WAV data size and byte rate. Anything else is null.
 */
export interface SniffedAudio {
  contentType: 'audio/mpeg' | 'audio/wav';
  durationMs: number;
}

const L3_BITRATES: Record<'v1' | 'v2', number[]> = {
  v1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

/** One Layer III frame header at `i`: its length in bytes and samples, or null. */
function mp3Frame(b: Buffer, i: number): { bytes: number; samples: number; rate: number } | null {
  if (i + 4 > b.length || b[i] !== 0xff || ((b[i + 1] as number) & 0xe0) !== 0xe0) return null;
  const b1 = b[i + 1] as number;
  const b2 = b[i + 2] as number;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  if (version === 1 || layer !== 1) return null;
  const bitrate = L3_BITRATES[version === 3 ? 'v1' : 'v2'][b2 >> 4];
  const rate = SAMPLE_RATES[version]?.[(b2 >> 2) & 3];
  if (!bitrate || !rate) return null;
  const padding = (b2 >> 1) & 1;
  const perFrame = version === 3 ? 1152 : 576;
  const bytes = Math.floor(((perFrame / 8) * bitrate * 1000) / rate) + padding;
  return { bytes, samples: perFrame, rate };
}

function sniffMp3(b: Buffer): SniffedAudio | null {
  let i = 0;
  if (b.subarray(0, 3).toString('latin1') === 'ID3' && b.length >= 10) {
    // ID3v2: a 10-byte header, a syncsafe size, and a footer when flagged.
    const size =
      (((b[6] as number) & 0x7f) << 21) |
      (((b[7] as number) & 0x7f) << 14) |
      (((b[8] as number) & 0x7f) << 7) |
      ((b[9] as number) & 0x7f);
    i = 10 + size + (((b[5] as number) & 0x10) !== 0 ? 10 : 0);
  }
  const start = i;
  let frames = 0;
  let samples = 0;
  let rate = 0;
  while (i < b.length) {
    const f = mp3Frame(b, i);
    if (!f) break;
    frames++;
    samples += f.samples;
    rate = f.rate;
    i += f.bytes;
  }
  // Frames nearly to the end (a trailing ID3v1 tag, a last frame cut short), not bytes that happen to sync once.
  const consumed = Math.min(i, b.length) - start;
  if (frames < 2 || !rate || consumed < (b.length - start) * 0.9) return null;
  return { contentType: 'audio/mpeg', durationMs: Math.round((samples / rate) * 1000) };
}

function sniffWav(b: Buffer): SniffedAudio | null {
  if (b.length < 44 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') return null;
  let byteRate = 0;
  let i = 12;
  while (i + 8 <= b.length) {
    const id = b.toString('latin1', i, i + 4);
    const size = b.readUInt32LE(i + 4);
    if (id === 'fmt ' && size >= 16 && i + 24 <= b.length) byteRate = b.readUInt32LE(i + 16);
    if (id === 'data') {
      if (!byteRate) return null;
      const data = Math.min(size, b.length - i - 8);
      return { contentType: 'audio/wav', durationMs: Math.round((data / byteRate) * 1000) };
    }
    i += 8 + size + (size % 2);
  }
  return null;
}

export function sniffAudio(bytes: Buffer): SniffedAudio | null {
  return sniffWav(bytes) ?? sniffMp3(bytes);
}

/** Test and demo audio: `seconds` of MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, silent payload). */
export function silentMp3(seconds: number): Buffer {
  const frames = Math.max(2, Math.round((seconds * 44100) / 1152));
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x00]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

/** Test and demo audio: `seconds` of 8 kHz mono 16-bit PCM WAV (silence). */
export function silentWav(seconds: number): Buffer {
  const data = Math.round(seconds * 8000) * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(data, 40);
  return b;
}
