import { Checkbox, Group, SegmentedControl, Stack, Textarea, TextInput } from '@mantine/core';
import type { IvrPrompt } from '../api/telephony.api';
import { AudioPicker } from './AudioPicker';

interface Props {
  /** What the field group is called ("Greeting", "Menu prompt"…), for labels and screen readers. */
  label: string;
  value: IvrPrompt | undefined;
  onChange: (p: IvrPrompt | undefined) => void;
  /** Queue, transfer and hang-up nodes may say nothing. */
  optional?: boolean;
}

type Mode = 'say' | 'audio' | 'url';
const modeOf = (p: IvrPrompt): Mode => (p.audioId !== undefined ? 'audio' : p.playUrl !== undefined ? 'url' : 'say');
const EMPTY: Record<Mode, IvrPrompt> = {
  say: { say: '', language: 'en-US' },
  audio: { audioId: '' },
  url: { playUrl: '' },
};

/** A prompt: text spoken with `<Say>` in a language, an uploaded recording, or audio at an address (`<Play>`). */
export function PromptFields({ label, value, onChange, optional }: Props) {
  if (optional && !value) {
    return <Checkbox label={`${label}: say something first`} checked={false} onChange={() => onChange(EMPTY.say)} />;
  }
  const p = value ?? EMPTY.say;
  const mode = modeOf(p);
  return (
    <Stack gap={6}>
      <Group gap="sm" align="center">
        <SegmentedControl
          size="xs"
          aria-label={`${label}: how`}
          value={mode}
          data={[
            { value: 'say', label: 'Speak text' },
            { value: 'audio', label: 'Recorded audio' },
            { value: 'url', label: 'Audio address' },
          ]}
          onChange={(v) => onChange(EMPTY[v as Mode])}
        />
        {optional && <Checkbox label="Say something first" checked onChange={() => onChange(undefined)} />}
      </Group>
      {mode === 'audio' && (
        <AudioPicker label={label} value={p.audioId || null} onChange={(audioId) => onChange({ audioId })} />
      )}
      {mode === 'url' && (
        <TextInput
          label={`${label}: audio address`}
          description="An https address of an MP3 or WAV file"
          value={p.playUrl ?? ''}
          onChange={(e) => onChange({ playUrl: e.currentTarget.value })}
        />
      )}
      {mode === 'say' && (
        <Group gap="sm" align="flex-start" wrap="wrap">
          <Textarea
            label={`${label}: text`}
            value={p.say ?? ''}
            onChange={(e) => onChange({ ...p, say: e.currentTarget.value })}
            autosize
            minRows={1}
            style={{ flex: 1, minWidth: 240 }}
          />
          <TextInput
            label="Language"
            placeholder="en-GB"
            value={p.language ?? ''}
            onChange={(e) =>
              onChange({ say: p.say, ...(e.currentTarget.value ? { language: e.currentTarget.value } : {}) })
            }
            w={110}
          />
        </Group>
      )}
    </Stack>
  );
}
