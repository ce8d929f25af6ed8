/**
 * The URL detector on a corpus of real strings (docs/providers/tencent.md §5.3: no URLs in
 * variables): names, abbreviations, versions and ordinary text pass; URLs, bare domains and
 * short links do not.
 */
import { describe, expect, it } from "vitest";
import { looksLikeUrl } from "../../lib/rules/template";

const benign = [
  // names and initials
  ...["J.Doe", "St.Louis", "Mr.Li", "Ms.Wang", "Dr.Zhang", "A.Smith", "J.R.R.Tolkien", "T.S.Eliot"],
  ...["Jr.", "Sr.", "Mt.Fuji", "Ft.Worth", "St.Paul", "Gen.Li", "Prof.Chen", "Capt.Kirk"],
  ...["Mme.Curie", "Jno.Smith", "Wm.Shakespeare", "Chas.Darwin", "Geo.Washington", "Thos.Paine"],
  // abbreviations
  ...["e.g.", "i.e.", "etc.", "No.1", "No.12", "U.S.A", "U.K.", "a.m.", "p.m.", "vs.", "approx."],
  ...["Inc.", "Ltd.", "Co.", "Corp.", "Dept.", "Ave.", "Rd.", "Blvd.", "Apt.", "Fig.3", "Vol.2"],
  ...["Ph.D", "M.Sc", "B.A.", "Q.E.D.", "R.S.V.P", "P.S.", "N.B.", "Op.9", "Ch.4", "Sec.2"],
  // versions and numbers
  ...["v2.Beta", "v1.0", "1.2.3", "v10.4.1", "2.0", "3.14", "0.5", "99.9", "V2.Final", "v3.RC1"],
  ...[
    "iOS17.2",
    "Android14",
    "Win11",
    "macOS14.1",
    "1.5kg",
    "2.5L",
    "12.5",
    "100.00",
    "3.0.1-beta",
  ],
  // file names and technical words without a domain
  ...["report.pdf", "photo.jpg", "invoice.xlsx", "notes.txt", "node.js", "Vue.js", "data.json"],
  ...["setup.exe", "index.html", "README.md", "main.py", "style.css", "app.tsx", "a.out"],
  // order numbers, codes, money, times, dates
  ...["SO-2026", "A1", "#123", "ORD20261122", "¥12.50", "$9.99", "€5", "12:30", "2026-11-22"],
  ...["10:00-12:00", "3/4", "50%", "x2", "ABC123", "T-1000", "P.O.Box", "A.B.C", "X.Y.Z"],
  // Chinese text
  ...["明天", "北京市朝阳区", "顺丰快递", "张三", "您的订单", "已发货", "预计三天", "五折优惠"],
  ...["双十一", "中通快递", "京东物流", "上午十点", "客服热线", "会员积分", "新品上市", "感谢支持"],
  // ordinary English
  ...["Hello", "Thanks!", "See you soon.", "Order shipped.", "Ready.", "OK.", "Done.Thanks"],
  ...["Hi.Bye", "Yes.No", "End.", "Go.", "Wait...", "So.What", "Call.Me", "Pay.Later"],
  ...["Room.301", "Gate.B12", "Seat.14C", "Flight.CA981", "Bus.42", "Line.2", "Exit.A"],
  ...["John.Com", "Shop.Net", "Mail.Org"], // title-case words, not domains
  ...["S.H.I.E.L.D", "A.I.", "C.E.O.", "V.I.P.", "F.A.Q.", "D.I.Y.", "R.I.P.", "O.K."],
  ...["Sept.", "Oct.", "Nov.", "Dec.", "Mon.", "Tue.", "Wed.", "Thu.", "Fri.", "Sat.", "Sun."],
  ...["Jan.5", "Feb.14", "Mar.8", "Apr.1", "Jun.18", "Jul.4", "Aug.15", "Dec.25"],
];

const urls = [
  // with a scheme or www.
  ...["https://evil.example/x", "http://a.b", "https://example.com", "http://10.0.0.1/x"],
  ...["www.example.com", "WWW.EXAMPLE.COM", "https://t.cn", "ftp://files.example.org"],
  ...["https://bit.ly/3abc", "http://localhost:8080", "https://例子.中国", "HTTPS://X.IO"],
  // bare domains
  ...["evil.com", "example.org", "example.net", "tencent.com", "qq.com", "baidu.com", "jd.com"],
  ...["taobao.com", "sina.cn", "163.com", "weibo.cn", "gov.cn", "edu.cn", "abc.com.cn", "a.io"],
  ...["shop.xyz", "deal.top", "my.site", "get.app", "try.dev", "sms.vip", "buy.shop", "go.link"],
  ...["mail.google.com", "m.jd.com", "h5.example.cn", "app.example.com.hk", "api.example.co"],
  ...["EVIL.COM", "Example.com", "Tencent.COM", "x.cc", "y.tv", "z.me", "w.ai", "v.co"],
  ...["login.example.info", "promo.example.biz", "news.example.asia", "go.example.club"],
  // short links
  ...["t.cn/abc", "bit.ly/x", "goo.gl/abc", "url.cn/5xyz", "dwz.cn/abc", "tinyurl.com/y3"],
  ...["is.gd/abc", "ow.ly/abc", "buff.ly/abc", "rb.gy/abc", "s.id/abc", "cutt.ly/abc"],
  ...["t.co/abc", "lnkd.in/abc", "amzn.to/abc", "youtu.be/abc", "wa.me/123", "j.mp/abc"],
  // domains with paths, ports, queries, or inside text
  ...["example.com/a/b", "example.com:8080", "example.com?x=1", "example.com#top"],
  ...["visit example.com now", "去example.com看看", "点击 t.cn/abc 领取", "登录qq.com查看"],
  ...["see evil.com.", "(evil.com)", "evil.com,thanks", "Go to Mr.Li/abc"],
  ...["a.b.c.d.e.com", "sub-domain.example.com", "xn--fiqs8s.com", "1.2.3.com"],
  ...["Example.Com/path", "Shop.Net/deal", "Mail.Org:25"],
  ...["shop.cn", "deal.hk", "news.tw", "app.sg", "www.a", "http://x"],
];

describe("the URL detector", () => {
  it("has a corpus of at least 200 real strings", () => {
    expect(benign.length + urls.length).toBeGreaterThanOrEqual(200);
  });

  it.each(benign)("lets %j through", (text) => {
    expect(looksLikeUrl(text)).toBe(false);
  });

  it.each(urls)("refuses %j", (text) => {
    expect(looksLikeUrl(text)).toBe(true);
  });
});
