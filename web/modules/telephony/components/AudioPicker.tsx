import { Button, FileButton, Group, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError } from '../../../lib/http';
import { audioQuery, telephonyKeys, uploadAudio } from '../api/telephony.api';

interface Props {
  label: string;
  value: string | null;
  onChange: (audioId: string) => void;
}

/** Chooses an uploaded recording for a prompt, or uploads one (MP3 or WAV; the server checks the file). */
export function AudioPicker({ label, value, onChange }: Props) {
  const audio = useQuery(audioQuery);
  const client = useQueryClient();
  const upload = useMutation({
    mutationFn: uploadAudio,
    onSuccess: (a) => {
      void client.invalidateQueries({ queryKey: telephonyKeys.audio });
      onChange(a.id);
    },
  });
  const chosen = audio.data?.find((a) => a.id === value);
  return (
    <Stack gap={6}>
      <Group gap="sm" align="end" wrap="wrap">
        <Select
          label={`${label}: recording`}
          placeholder={audio.data?.length ? 'Choose a recording' : 'Upload one first'}
          data={(audio.data ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.durationSeconds} s)` }))}
          value={value}
          onChange={(v) => v && onChange(v)}
          allowDeselect={false}
          w={300}
        />
        <FileButton onChange={(f) => f && upload.mutate(f)} accept="audio/mpeg,audio/wav,.mp3,.wav">
          {(props) => (
            <Button {...props} variant="light" loading={upload.isPending} aria-label={`${label}: upload a recording`}>
              Upload…
            </Button>
          )}
        </FileButton>
      </Group>
      {chosen && (
        // biome-ignore lint/a11y/useMediaCaption: a caller's prompt being checked by ear; no transcript exists.
        <audio controls src={chosen.url} preload="none" aria-label={`Listen to ${chosen.name}`} />
      )}
      {upload.error && (
        <Text size="sm" c="red" role="alert">
          {upload.error instanceof ApiError && upload.error.errors[0]
            ? `Not uploaded: the file ${upload.error.errors[0].message}`
            : upload.error.message}
        </Text>
      )}
    </Stack>
  );
}
