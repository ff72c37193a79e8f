//! A real headless Chromium driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`), for the browser journeys. Each journey gets its own chromedriver
//! and browser, at desktop or phone size, saves screenshots of its key pages under
//! `target/journeys/<journey>/`, and can run axe-core (vendored) on a page.
//!
//! Without `chromedriver` on the PATH the journeys are skipped with a message, so
//! `cargo test` passes on a machine without a browser; with `ZAIZAO_REQUIRE_BROWSER=1`
//! (as `.ci/run` sets) a missing browser fails them instead.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Desktop,
    Phone,
}

pub struct Chrome {
    pub client: Client,
    driver: Child,
    base: String,
    shots: PathBuf,
    taken: usize,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn driver_on_path() -> bool {
    Command::new("chromedriver").arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

impl Chrome {
    /// A browser on `base` for journey `name`, or `None` (with a message) when this
    /// machine has no Chromium.
    pub async fn open(base: &str, name: &str, size: Size) -> Option<Chrome> {
        if !driver_on_path() {
            assert!(
                std::env::var("ZAIZAO_REQUIRE_BROWSER").is_err(),
                "ZAIZAO_REQUIRE_BROWSER is set but chromedriver is not on the PATH"
            );
            // Written to the process's stderr, not through the test harness's capture, so
            // that a plain `cargo test` shows it.
            let _ = writeln!(
                std::io::stderr(),
                "browser journey '{name}' skipped: no chromedriver on the PATH. \
                 Install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) \
                 and run `cargo test --test it journeys` to run it."
            );
            return None;
        }
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut options = json!({
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=zh-CN", "--hide-scrollbars"],
        });
        if std::path::Path::new("/usr/bin/chromium").exists() {
            options["binary"] = json!("/usr/bin/chromium");
        }
        if size == Size::Phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2.0 },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let mut client = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(c) => {
                    client = Some(c);
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
        let client = client.expect("a browser session within ten seconds");
        let suffix = if size == Size::Phone { "phone" } else { "desktop" };
        let shots =
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/target/journeys")).join(format!("{name}-{suffix}"));
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        Some(Chrome { client, driver, base: base.to_owned(), shots, taken: 0 })
    }

    /// Open a page (WebDriver waits for it to load).
    pub async fn go(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.expect("navigate");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        format!("{}{}", url.path(), url.query().map(|q| format!("?{q}")).unwrap_or_default())
    }

    /// Sign in through the form, as a person would.
    pub async fn sign_in(&self, username: &str, password: &str) {
        self.go("/login").await;
        self.fill("input[name=username]", username).await;
        self.fill("input[name=password]", password).await;
        self.click("form[action='/login'] button[type=submit]").await;
    }

    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("field {css}: {e}"));
        let file = field.attr("type").await.ok().flatten().is_some_and(|t| t == "file");
        if !file && let Err(e) = field.clear().await {
            panic!("field {css} on {} cannot be typed in: {e}", self.path().await);
        }
        field.send_keys(text).await.expect("type");
    }

    /// Pick the option of select `name` whose text contains `text`.
    pub async fn choose_text(&self, name: &str, text: &str) {
        let xpath = format!("//select[@name='{name}']/option[contains(normalize-space(), '{text}')]");
        let option =
            self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("{name} option {text}: {e}"));
        option.click().await.unwrap_or_else(|e| panic!("choose {text}: {e}"));
    }

    /// Tick the checkbox of group `name` whose label contains `text`.
    pub async fn tick(&self, name: &str, text: &str) {
        let xpath = format!("//label[contains(normalize-space(), '{text}')]/input[@type='checkbox'][@name='{name}']");
        let box_ = self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("{name} box {text}: {e}"));
        box_.click().await.unwrap_or_else(|e| panic!("tick {text}: {e}"));
    }

    /// Submit a form as pressing Enter in it would, and wait for the page it leads to.
    pub async fn submit(&self, css: &str) {
        let page = self.client.find(Locator::Css("html")).await.expect("the page");
        let form = self.client.form(Locator::Css(css)).await.unwrap_or_else(|e| panic!("form {css}: {e}"));
        form.submit_direct().await.unwrap_or_else(|e| panic!("submit {css}: {e}"));
        self.wait_replaced(page).await;
    }

    /// Click an element; a link or a submit button leads to a new page, which is waited for.
    pub async fn click(&self, css: &str) {
        let el = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("element {css}: {e}"));
        self.activate(el, css).await;
    }

    /// Click the button or link whose text is `text`, and wait for the page it leads to.
    pub async fn press(&self, text: &str) {
        let xpath = format!("//button[normalize-space()='{text}'] | //a[normalize-space()='{text}']");
        let el = self.client.find(Locator::XPath(&xpath)).await.unwrap_or_else(|e| panic!("button {text}: {e}"));
        self.activate(el, text).await;
    }

    async fn activate(&self, el: fantoccini::elements::Element, what: &str) {
        let tag = el.tag_name().await.unwrap_or_default();
        let kind = el.attr("type").await.ok().flatten().unwrap_or_default();
        let leaves = tag == "a" || (tag == "button" && kind != "button") || (tag == "input" && kind == "submit");
        let page = self.client.find(Locator::Css("html")).await.expect("the page");
        el.click().await.unwrap_or_else(|e| panic!("click {what}: {e}"));
        if leaves {
            self.wait_replaced(page).await;
        }
    }

    /// Wait until `page` has been replaced by the next one, and the next one has loaded.
    async fn wait_replaced(&self, page: fantoccini::elements::Element) {
        for _ in 0..200 {
            if page.tag_name().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for _ in 0..200 {
            let ready = self.client.execute("return document.readyState", vec![]).await.ok();
            if ready.as_ref().and_then(|v| v.as_str()) == Some("complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Type into a type-ahead picker and choose the suggestion that contains `choice`.
    pub async fn pick(&self, field: &str, typed: &str, choice: &str) {
        let input = format!("label.picker:has(select[name={field}]) input[role=combobox]");
        self.fill(&input, typed).await;
        let xpath =
            format!("//label[contains(@class,'picker')]//li[@role='option'][contains(normalize-space(), '{choice}')]");
        // The list is drawn again as answers arrive; choose from the one on screen.
        for _ in 0..50 {
            if let Ok(option) = self.client.find(Locator::XPath(&xpath)).await
                && option.click().await.is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no suggestion {choice} for {typed}");
    }

    /// The text of the first element matching `css`, once it says something.
    pub async fn text_of(&self, css: &str) -> String {
        for _ in 0..100 {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                let t = el.text().await.unwrap_or_default();
                if !t.trim().is_empty() {
                    return t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        String::new()
    }

    /// The current value of a form field.
    pub async fn value(&self, css: &str) -> String {
        let field = self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("field {css}: {e}"));
        field.prop("value").await.ok().flatten().unwrap_or_default()
    }

    pub async fn exists(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// What a person reads on the page.
    pub async fn text(&self) -> String {
        let v = self.client.execute("return document.body.innerText", vec![]).await.expect("text");
        v.as_str().unwrap_or_default().to_owned()
    }

    /// A screenshot of the whole page, numbered in the order taken.
    pub async fn shot(&mut self, name: &str) {
        self.taken += 1;
        let height = self
            .client
            .execute("return Math.ceil(document.documentElement.scrollHeight)", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(900)
            .min(6000);
        let (width, _) = self.client.get_window_size().await.unwrap_or((1280, 900));
        let _ = self.client.set_window_size(width as u32, height as u32).await;
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{:02}-{name}.png", self.taken)), png).expect("save screenshot");
    }

    /// The serious and critical accessibility violations axe-core finds on the page, as
    /// "rule: target" lines.
    pub async fn accessibility(&self) -> Vec<String> {
        self.client.execute(AXE, vec![]).await.expect("load axe-core");
        let script = "const done = arguments[arguments.length - 1];\
            axe.run(document, { resultTypes: ['violations'] })\
              .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')\
                .flatMap(v => v.nodes.map(n => v.id + ': ' + n.target.join(' ')))))\
              .catch(e => done(['axe failed: ' + e]));";
        let found: Value = self.client.execute_async(script, vec![]).await.expect("run axe-core");
        found.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    }

    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}
