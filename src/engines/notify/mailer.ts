import type { Transporter } from 'nodemailer';

/** Sends plain-text mail over SMTP (nodemailer: the maintained Node SMTP client, pooled connections, TLS). */
export class Mailer {
  private readonly transport: Transporter;

  constructor(smtpUrl: string, private readonly from: string) {
    // Loaded only when SMTP_URL is set, so a server without e-mail does not carry it.
    const nodemailer = require('nodemailer') as typeof import('nodemailer');
    this.transport = nodemailer.createTransport(smtpUrl, { pool: true, maxConnections: 2, connectionTimeout: 10_000, socketTimeout: 20_000 } as never);
  }

  async send(to: string[], subject: string, text: string): Promise<void> {
    await this.transport.sendMail({ from: this.from, to, subject: subject.slice(0, 250), text });
  }

  close(): void {
    this.transport.close();
  }
}
