"""A calendar client's side of iTIP over email (RFC 5546, RFC 6047), with Debian's python3-icalendar.

  itip-client.py read < message.eml
      prints JSON: the text/calendar part's Content-Type method, the parsed METHOD, UID,
      SEQUENCE, STATUS, DTSTART, ORGANIZER (its mailto and CN) and the ATTENDEEs
      (address, PARTSTAT, RSVP), and whether an .ics is attached.
  itip-client.py reply ADDRESS PARTSTAT [SEQUENCE] < message.eml
      prints the raw reply mail a calendar sends when ADDRESS answers PARTSTAT: METHOD:REPLY
      with only that ATTENDEE, to the invitation's ORGANIZER address.
"""
import email
import email.policy
import email.utils
import json
import sys
from email.message import EmailMessage

from icalendar import Calendar


def calendar_part(msg):
    for part in msg.walk():
        if part.get_content_type() == 'text/calendar':
            return part
    raise SystemExit('no text/calendar part')


def attached_ics(msg):
    for part in msg.walk():
        if part.get_filename() == 'invite.ics' or part.get_content_type() == 'application/ics':
            return True
    return False


def mailto(v):
    s = str(v)
    return s[7:].lower() if s.lower().startswith('mailto:') else s.lower()


def main():
    msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
    part = calendar_part(msg)
    cal = Calendar.from_ical(part.get_payload(decode=True))
    event = next(c for c in cal.walk() if c.name == 'VEVENT')
    if sys.argv[1] == 'read':
        attendees = event.get('ATTENDEE') or []
        if not isinstance(attendees, list):
            attendees = [attendees]
        org = event.get('ORGANIZER')
        print(json.dumps({
            'contentTypeMethod': part.get_param('method'),
            'method': str(cal.get('METHOD')),
            'uid': str(event.get('UID')),
            'sequence': int(event.get('SEQUENCE', 0)),
            'status': str(event.get('STATUS', '')),
            'summary': str(event.get('SUMMARY')),
            'dtstart': event.decoded('DTSTART').isoformat(),
            'organizer': {'mailto': mailto(org), 'cn': str(org.params.get('CN', ''))},
            'attendees': [
                {'email': mailto(a), 'partstat': str(a.params.get('PARTSTAT', '')), 'rsvp': str(a.params.get('RSVP', ''))}
                for a in attendees
            ],
            'attachedIcs': attached_ics(msg),
        }))
        return
    address, partstat = sys.argv[2].lower(), sys.argv[3]
    sequence = int(sys.argv[4]) if len(sys.argv) > 4 else int(event.get('SEQUENCE', 0))
    reply = Calendar()
    reply.add('prodid', '-//Debian python3-icalendar test client//EN')
    reply.add('version', '2.0')
    reply.add('method', 'REPLY')
    answer = type(event)()
    answer.name = 'VEVENT'
    answer.add('uid', event.get('UID'))
    answer.add('sequence', sequence)
    answer.add('dtstamp', event.decoded('DTSTAMP'))
    answer.add('dtstart', event.decoded('DTSTART'))
    answer.add('organizer', event.get('ORGANIZER'))
    answer.add('attendee', 'mailto:' + address, parameters={'PARTSTAT': partstat})
    reply.add_component(answer)
    out = EmailMessage()
    out['From'] = address
    out['To'] = mailto(event.get('ORGANIZER'))
    out['Subject'] = partstat.capitalize() + ': ' + str(event.get('SUMMARY'))
    out['Message-ID'] = email.utils.make_msgid()
    out.set_content(address + ' answered ' + partstat)
    out.add_alternative(reply.to_ical().decode(), subtype='calendar', params={'method': 'REPLY'})
    sys.stdout.write(out.as_string(policy=email.policy.SMTP))


main()
