//! The expression language both CI runners evaluate, as far as the recipes use it: GitHub's
//! `${{ a && 'b' || 'c' }}`, `steps.x.outputs.y == '0'`, `always()`, and Azure Pipelines'
//! conditions `and(always(), eq(variables['x'], 'true'))`. Values and truthiness as GitHub
//! documents them: null, booleans, numbers and strings; `&&`/`||` return an operand; strings
//! compare without regard to case.

/// A value of an expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Value {
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
        }
    }

    /// As GitHub puts a value into text: null is empty, booleans `true`/`false`.
    pub(crate) fn text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Num(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Value::Num(n) => n.to_string(),
            Value::Str(s) => s.clone(),
        }
    }

    fn number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Num(n) => *n,
            Value::Str(s) if s.trim().is_empty() => 0.0,
            Value::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    fn equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a.eq_ignore_ascii_case(b),
            (Value::Null, Value::Null) => true,
            (a, b) => a.number() == b.number(),
        }
    }
}

/// What an expression may read and call.
pub(crate) trait Context {
    /// A name, dotted or indexed: `steps.entra.outputs.exit-code`, `variables.x`.
    fn lookup(&self, path: &[String]) -> Value;
    /// A status function (`always()`, `success()`, `succeeded()`, …), or `None` if unknown.
    fn status(&self, name: &str) -> Option<bool>;
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Str(String),
    Num(f64),
    Op(&'static str),
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < chars.len(), "an unclosed string in `{text}`");
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(chars[i]);
                i += 1;
            }
            out.push(Token::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let n: String = chars[start..i].iter().collect();
            out.push(Token::Num(n.parse().unwrap()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '-' | '.'))
            {
                i += 1;
            }
            out.push(Token::Name(chars[start..i].iter().collect()));
        } else {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            let op = match two.as_str() {
                "==" => "==",
                "!=" => "!=",
                "&&" => "&&",
                "||" => "||",
                _ => match c {
                    '!' => "!",
                    '(' => "(",
                    ')' => ")",
                    ',' => ",",
                    '[' => "[",
                    ']' => "]",
                    other => panic!("`{other}` in the expression `{text}`"),
                },
            };
            i += op.len();
            out.push(Token::Op(op));
        }
    }
    out
}

struct Parser<'a> {
    tokens: Vec<Token>,
    at: usize,
    context: &'a dyn Context,
    text: &'a str,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn eat(&mut self, op: &'static str) -> bool {
        if self.peek() == Some(&Token::Op(op)) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> Value {
        let mut left = self.and();
        while self.eat("||") {
            let right = self.and();
            left = if left.truthy() { left } else { right };
        }
        left
    }

    fn and(&mut self) -> Value {
        let mut left = self.compare();
        while self.eat("&&") {
            let right = self.compare();
            left = if left.truthy() { right } else { left };
        }
        left
    }

    fn compare(&mut self) -> Value {
        let left = self.unary();
        if self.eat("==") {
            let right = self.unary();
            return Value::Bool(left.equals(&right));
        }
        if self.eat("!=") {
            let right = self.unary();
            return Value::Bool(!left.equals(&right));
        }
        left
    }

    fn unary(&mut self) -> Value {
        if self.eat("!") {
            return Value::Bool(!self.unary().truthy());
        }
        self.primary()
    }

    fn primary(&mut self) -> Value {
        let token = self
            .tokens
            .get(self.at)
            .cloned()
            .unwrap_or_else(|| panic!("the expression `{}` ends early", self.text));
        self.at += 1;
        match token {
            Token::Str(s) => Value::Str(s),
            Token::Num(n) => Value::Num(n),
            Token::Op("(") => {
                let v = self.or();
                assert!(self.eat(")"), "`)` expected in `{}`", self.text);
                v
            }
            Token::Name(name) if self.peek() == Some(&Token::Op("(")) => {
                self.at += 1;
                let mut args = Vec::new();
                if !self.eat(")") {
                    loop {
                        args.push(self.or());
                        if self.eat(")") {
                            break;
                        }
                        assert!(self.eat(","), "`,` expected in `{}`", self.text);
                    }
                }
                self.call(&name, args)
            }
            Token::Name(name) => match name.as_str() {
                "true" | "True" => Value::Bool(true),
                "false" | "False" => Value::Bool(false),
                "null" => Value::Null,
                _ => {
                    let mut path: Vec<String> = name.split('.').map(str::to_string).collect();
                    while self.eat("[") {
                        match self.tokens.get(self.at).cloned() {
                            Some(Token::Str(key)) => path.push(key),
                            other => panic!("an index {other:?} in `{}`", self.text),
                        }
                        self.at += 1;
                        assert!(self.eat("]"), "`]` expected in `{}`", self.text);
                    }
                    self.context.lookup(&path)
                }
            },
            other => panic!("{other:?} in `{}`", self.text),
        }
    }

    fn call(&mut self, name: &str, args: Vec<Value>) -> Value {
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
        match name.to_ascii_lowercase().as_str() {
            "and" => Value::Bool(args.iter().all(Value::truthy)),
            "or" => Value::Bool(args.iter().any(Value::truthy)),
            "not" => Value::Bool(!arg(0).truthy()),
            "eq" => Value::Bool(arg(0).equals(&arg(1))),
            "ne" => Value::Bool(!arg(0).equals(&arg(1))),
            "contains" => Value::Bool(
                arg(0)
                    .text()
                    .to_lowercase()
                    .contains(&arg(1).text().to_lowercase()),
            ),
            "format" => {
                let mut s = arg(0).text();
                for (i, a) in args.iter().enumerate().skip(1) {
                    s = s.replace(&format!("{{{}}}", i - 1), &a.text());
                }
                Value::Str(s)
            }
            status => Value::Bool(
                self.context
                    .status(status)
                    .unwrap_or_else(|| panic!("the function {name}() in `{}`", self.text)),
            ),
        }
    }
}

/// Evaluate one expression (without its `${{ }}`).
pub(crate) fn eval(text: &str, context: &dyn Context) -> Value {
    let mut p = Parser {
        tokens: tokens(text),
        at: 0,
        context,
        text,
    };
    let v = p.or();
    assert!(p.at == p.tokens.len(), "trailing text in `{text}`");
    v
}

/// Whether an expression names a status function (else GitHub and Azure prepend `success()`).
pub(crate) fn has_status_function(text: &str) -> bool {
    tokens(text).windows(2).any(|w| match w {
        [Token::Name(n), Token::Op("(")] => matches!(
            n.to_ascii_lowercase().as_str(),
            "always"
                | "success"
                | "failure"
                | "cancelled"
                | "succeeded"
                | "failed"
                | "succeededorfailed"
                | "canceled"
        ),
        _ => false,
    })
}

/// Replace every `${{ … }}` in `text` by its value, as GitHub does before a step runs.
pub(crate) fn substitute(text: &str, context: &dyn Context) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let end = rest[at..]
            .find("}}")
            .unwrap_or_else(|| panic!("an unclosed ${{{{ in `{text}`"));
        out.push_str(&eval(&rest[at + 3..at + end], context).text());
        rest = &rest[at + end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ctx;
    impl Context for Ctx {
        fn lookup(&self, path: &[String]) -> Value {
            match path.join(".").as_str() {
                "inputs.accept-baseline" => Value::Null,
                "steps.entra.outputs.exit-code" => Value::Str("1".into()),
                "variables.keep" => Value::Str("True".into()),
                _ => Value::Null,
            }
        }
        fn status(&self, name: &str) -> Option<bool> {
            Some(name == "always")
        }
    }

    #[test]
    fn the_recipes_expressions() {
        let v = |s: &str| eval(s, &Ctx);
        assert_eq!(
            v("inputs.accept-baseline && 'never' || 'new-gap'"),
            Value::Str("new-gap".into())
        );
        assert!(!v("always() && steps.entra.outputs.exit-code == '0'").truthy());
        assert!(v("always() && steps.entra.outputs.exit-code == '1'").truthy());
        assert!(v("and(always(), eq(variables['keep'], 'true'))").truthy());
        assert!(!v("success()").truthy());
        assert!(has_status_function("always() && x"));
        assert!(!has_status_function("steps.x.outcome == 'success'"));
    }
}
