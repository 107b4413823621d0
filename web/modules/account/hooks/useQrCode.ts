import { useEffect, useState } from 'react';

/** A QR code image (data: URL) of `text`, drawn in the browser; the library loads only when needed. */
export function useQrCode(text: string | null): string | null {
  const [image, setImage] = useState<string | null>(null);
  useEffect(() => {
    setImage(null);
    if (!text) return;
    let live = true;
    import('qrcode')
      .then((qr) => qr.toDataURL(text, { margin: 1, width: 200, errorCorrectionLevel: 'M' }))
      .then((url) => {
        if (live) setImage(url);
      })
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [text]);
  return image;
}
