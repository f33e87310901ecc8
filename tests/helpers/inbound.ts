import nodemailer from 'nodemailer';

/** Sends a raw message to Correio's SMTP receiver for built-in addresses, like a customer's mail server would. */
export async function sendToReceiver(port: number, envelope: { from: string; to: string[] }, raw: string | Buffer): Promise<{ response: string }> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
  try {
    const info = await transport.sendMail({ envelope, raw });
    return { response: info.response };
  } finally {
    transport.close();
  }
}
