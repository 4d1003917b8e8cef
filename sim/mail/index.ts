/** The mail servers Crossdock talks to, simulated: an IMAP4rev1 mailbox (imap-server.ts). */
export {
  ImapSimulator,
  type ImapSimOptions,
  type SimFolder,
  type SimMessage,
} from './imap-server.ts';
