import type { ReactNode } from 'react';
import { Icon } from './Icon';
import { AnchorLink } from './links';

const look = { size: 'sm', mih: 40, display: 'inline-flex' } as const;
const style = { alignItems: 'center', gap: 4, alignSelf: 'flex-start' } as const;

/** "‹ Contacts" above a page: back to an object's list, or to a record with `id`; a 40 px tall target. */
export function BackLink({ object, id, children }: { object: string; id?: string; children: ReactNode }) {
  const content = (
    <>
      <Icon name="back" size={14} />
      {children}
    </>
  );
  return id ? (
    <AnchorLink to="/$object/$id" params={{ object, id }} {...look} style={style}>
      {content}
    </AnchorLink>
  ) : (
    <AnchorLink to="/$object" params={{ object }} {...look} style={style}>
      {content}
    </AnchorLink>
  );
}
