import type { NavLinkProps } from '@mantine/core';
import { NavLinkLink } from '../../../ui/links';
import type { NavTarget } from '../navigation';

type Props = Omit<NavLinkProps, 'href'> & {
  target: NavTarget;
  onClick?: () => void;
  className?: string;
  'data-testid'?: string;
};

/** A sidebar link to a registry target (navigation.ts), typed per route. */
export function NavTargetLink({ target, ...rest }: Props) {
  switch (target.to) {
    case '/$object':
    case '/$object/new':
      return <NavLinkLink to={target.to} params={target.params} {...rest} />;
    case '/admin/$':
      return <NavLinkLink to={target.to} params={target.params} {...rest} />;
    default:
      return <NavLinkLink to={target.to} {...rest} />;
  }
}
