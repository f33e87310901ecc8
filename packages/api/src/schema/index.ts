import { builder } from '../builder.ts';
import './enums.ts';
import './error-codes.ts';
import './workspace.ts';
import './provider.ts';
import './catalog.ts';
import './account-status.ts';
import './account.ts';
import './oauth.ts';
import './account-check.ts';
import './sender-auth.ts';
import './ticket.ts';
import './search.ts';
import './reply.ts';
import './mail-log.ts';
import './canned-reply.ts';
import './signature.ts';

export const schema = builder.toSchema({ sortSchema: false });
