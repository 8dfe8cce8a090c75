/**
 * Who writes to the demo workspace (server/domain/demo-seed.ts: Northwind Outfitters) when
 * `npm start` simulates customers. Numbers 555-01xx are reserved for fiction; the +1206555010x
 * ones are demo contacts (so their messages land on the contact), the others are strangers.
 */

export const DEMO_SMS_CHANNELS = [
  { id: 'ch_sales_sms', name: 'Sales SMS', number: '+14155550100' },
  { id: 'ch_support_sms', name: 'Support SMS', number: '+14155550110' },
] as const;

export const DEMO_WHATSAPP_CHANNELS = [
  { id: 'ch_sales_wa', name: 'Sales WhatsApp', number: '+14155550101' },
  { id: 'ch_support_wa', name: 'Support WhatsApp', number: '+14155550111' },
] as const;

export type DemoSmsChannelId = (typeof DEMO_SMS_CHANNELS)[number]['id'];
export type DemoWhatsAppChannelId = (typeof DEMO_WHATSAPP_CHANNELS)[number]['id'];
export type DemoChannelId = DemoSmsChannelId | DemoWhatsAppChannelId;

export interface DemoScript {
  /**
   * The first message; `photo` sends it as an MMS with a picture (SMS channels only), `voice` as a
   * WhatsApp voice note (WhatsApp channels only; `body` is then only what the log says).
   */
  opening: { body: string; photo?: boolean; voice?: boolean };
  /** What they answer to the team's replies, in order. */
  followUps: readonly string[];
}

export interface DemoCustomer {
  name: string;
  number: string;
  channelId: DemoChannelId;
  /** One per time they write in (then from the start again). */
  scripts: readonly DemoScript[];
}

export const DEMO_CAST: readonly DemoCustomer[] = [
  {
    name: 'Olivia Johnson',
    number: '+12065550100',
    channelId: 'ch_sales_sms',
    scripts: [
      {
        opening: { body: 'Hi! Do you still have the Ridgeline 45L pack in rust orange? I need the M/L torso.' },
        followUps: ['Great, could you hold it for me until Saturday?', 'Perfect, thank you! See you Saturday morning.'],
      },
      {
        opening: { body: 'Picked up the pack, love it! Do you sell a rain cover that fits it?' },
        followUps: ['Perfect, I’ll add one to my order.', 'Thanks again!'],
      },
    ],
  },
  {
    name: 'Liam Tanaka',
    number: '+12065550101',
    channelId: 'ch_support_wa',
    scripts: [
      {
        opening: { body: 'Hi, the zipper on my Cirrus sleeping bag keeps snagging. Is that covered by the warranty?' },
        followUps: ['I bought it in March, order #51877.', 'Thanks, I’ll bring it by the store this week.'],
      },
      {
        opening: { body: 'Quick one: do you wash down jackets in store or should I do it at home?' },
        followUps: ['Good to know, I’ll grab the down wash then.', 'Thanks!'],
      },
    ],
  },
  {
    name: 'Jordan Blake',
    number: '+15035550142',
    channelId: 'ch_sales_wa',
    scripts: [
      {
        opening: { body: 'Hey! Are the Trailblazer 3 runners true to size? I’m usually a 10.5' },
        followUps: ['Cool. Do they come in a wide fit?', 'Awesome, ordering now 🙌'],
      },
      {
        opening: { body: 'The Trailblazers arrived but they feel tight in the toe box. Can I swap for a half size up?' },
        followUps: ['Great, do I just bring them to the store with the receipt?', 'Perfect, thanks for the help!'],
      },
    ],
  },
  {
    name: 'Emma Ibrahim',
    number: '+12065550102',
    channelId: 'ch_support_sms',
    scripts: [
      {
        opening: { body: 'The shoulder strap on my Ridgeline pack ripped at the seam on day 2 of our trip 😕 photo attached', photo: true },
        followUps: ['Bought it online in May, order #50312.', 'A replacement would be great, thank you!'],
      },
      {
        opening: { body: 'The replacement pack arrived today, thank you! Should I mail the old one back?' },
        followUps: ['OK, I’ll drop it off this weekend.', 'Thanks!'],
      },
    ],
  },
  {
    name: 'Noah Garcia',
    number: '+12065550103',
    channelId: 'ch_sales_sms',
    scripts: [
      {
        opening: { body: 'Do you rent kayaks or only sell them? Thinking about a weekend on Lake Chelan.' },
        followUps: ['Two adults and one kid (she’s 9).', 'Sounds good, I’ll book online tonight.'],
      },
      {
        opening: { body: 'Do the kayak rentals come with life jackets for kids?' },
        followUps: ['Great, she’s about 70 lbs.', 'Perfect, see you Saturday!'],
      },
    ],
  },
  {
    name: 'Priya Raman',
    number: '+13125550199',
    channelId: 'ch_sales_sms',
    scripts: [
      {
        opening: { body: 'Hi, is the 25% off insulated jackets online too or only in store?' },
        followUps: ['Does that include the Alpine shell?', 'Got it, thanks!'],
      },
      {
        opening: { body: 'Is the Alpine shell available in petite sizes?', photo: true },
        followUps: ['That’s the one in the photo, in the teal colour.', 'Great, ordering now, thank you!'],
      },
    ],
  },
  {
    name: 'Ava Haddad',
    number: '+12065550104',
    channelId: 'ch_support_wa',
    scripts: [
      {
        opening: { body: 'Order #48907 says delivered but there’s nothing on my porch.' },
        followUps: ['I checked with the neighbours too, nothing.', 'OK, thanks for sorting it out so fast.'],
      },
      {
        opening: { body: 'Found the package, it was at the back door 🙈 sorry for the trouble!' },
        followUps: ['Thank you, have a good day!'],
      },
    ],
  },
  {
    name: 'Sophia Nguyen',
    number: '+12065550106',
    channelId: 'ch_sales_sms',
    scripts: [
      {
        opening: { body: 'Is this the right fuel canister for the Basecamp stove? Picture of the one I have.', photo: true },
        followUps: ['Great, I’ll grab two on my way home.', 'Thanks for the quick answer!'],
      },
      {
        opening: { body: 'Do you have a repair kit for inflatable sleeping pads? Mine has a slow leak.', photo: true },
        followUps: ['Great, I’ll stop by after work.', 'Thanks!'],
      },
    ],
  },
  {
    name: 'Marcus Lee',
    number: '+15035550173',
    channelId: 'ch_support_sms',
    scripts: [
      {
        opening: { body: 'Can I return hiking boots I wore once on a trail? They give me blisters.' },
        followUps: ['I still have the receipt and the box.', 'Great, I’ll come in tomorrow after work.'],
      },
      {
        opening: { body: 'Could someone help me pick new boots when I come in? I have wide feet.' },
        followUps: ['Thursday evening works, around 6?', 'Great, see you then.'],
      },
    ],
  },
  {
    name: 'Lucas Murphy',
    number: '+12065550107',
    channelId: 'ch_support_wa',
    scripts: [
      {
        opening: { body: 'asks whether the ski shop is open on Sunday', voice: true },
        followUps: ['Great, I’ll come by around noon.', 'Thanks!'],
      },
      {
        opening: { body: 'Do you do ski binding adjustments? Need mine checked before Saturday.' },
        followUps: ['Thursday after 5 works for me.', 'See you then 👍'],
      },
    ],
  },
];

/** What anyone answers once their own lines have run out (or who is not in the cast). */
export const GENERIC_FOLLOW_UPS: readonly string[] = ['Thanks!', 'Great, thank you 🙏', 'Perfect.', 'OK, sounds good.', '👍'];
